package org.aligndet.trainer.image;

/**
 * A walk over a JPEG's marker structure, without decoding, for the damage libjpeg only warns about
 * on stderr ({@code Corrupt JPEG data: ...}, a line that does not name the file): bytes between
 * marker segments, bytes that are no JPEG marker where one must be, restart markers out of
 * sequence, a segment running past the end. Damage inside the entropy-coded data that only the
 * Huffman decoder sees (e.g. data left over after the last MCU) is not found.
 */
final class JpegScan {
    private static final int SOS = 0xDA;
    private static final int EOI = 0xD9;

    private JpegScan() {
    }

    /** What is wrong with the structure of the JPEG in {@code b} (starting FF D8), or null when nothing was found. */
    static String problem(byte[] b) {
        int i = 2;
        while (i < b.length) {
            if ((b[i] & 0xff) != 0xFF) {
                int start = i;
                while (i < b.length && (b[i] & 0xff) != 0xFF) {
                    i++;
                }
                return (i - start) + " extraneous bytes before a marker at byte " + i;
            }
            while (i + 1 < b.length && (b[i + 1] & 0xff) == 0xFF) {
                i++; // fill bytes
            }
            if (i + 1 >= b.length) {
                return null; // the truncation check reports a missing end
            }
            int marker = b[i + 1] & 0xff;
            if (marker == EOI) {
                return null;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2;
                continue;
            }
            if (marker < 0xC0) {
                return String.format("byte 0x%02X at byte %d is no JPEG marker", marker, i + 1);
            }
            if (i + 3 >= b.length) {
                return null;
            }
            int length = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            if (length < 2 || i + 2 + length > b.length) {
                return String.format("marker 0x%02X at byte %d claims %d bytes, past the end", marker, i, length);
            }
            i += 2 + length;
            if (marker == SOS) {
                int[] at = {i};
                String p = entropyData(b, at);
                if (p != null) {
                    return p;
                }
                i = at[0];
            }
        }
        return null;
    }

    /** Skips a scan's entropy-coded data from {@code at[0]} to the marker that ends it, checking restart markers. */
    private static String entropyData(byte[] b, int[] at) {
        int i = at[0];
        int expected = 0;
        while (i + 1 < b.length) {
            int v = b[i] & 0xff;
            int next = b[i + 1] & 0xff;
            if (v != 0xFF || next == 0x00) {
                i += v == 0xFF ? 2 : 1;
            } else if (next == 0xFF) {
                i++;
            } else if (next >= 0xD0 && next <= 0xD7) {
                if (next - 0xD0 != expected) {
                    return String.format("restart marker RST%d at byte %d, RST%d expected", next - 0xD0, i, expected);
                }
                expected = (expected + 1) & 7;
                i += 2;
            } else {
                break;
            }
        }
        at[0] = i;
        return null;
    }
}
