package org.aligndet.trainer.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Width and height of a PNG, JPEG, BMP or WebP file read from its header, without decoding pixels.
 * Anything it cannot recognise (unknown format, truncated or corrupt header, unreadable file) gives
 * {@code null}: the caller leaves the size unknown and the pixel reader reports the file later.
 */
public final class ImageHeaders {
    private static final int MAX_JPEG_SCAN = 1 << 20;
    /** Bytes every format's size is found in, JPEG's aside (PNG 24, BMP 26, WebP 30). */
    private static final int HEAD = 30;

    private ImageHeaders() {
    }

    /** {@code {width, height}} in pixels, or {@code null} when the header cannot be read. */
    public static int[] size(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(HEAD);
            return size(head, in);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * As {@link #size(Path)}, of a file already in memory (e.g. to refuse an image bomb before
     * decoding it).
     */
    public static int[] size(byte[] file) {
        try (InputStream in = new ByteArrayInputStream(file)) {
            return size(in.readNBytes(HEAD), in);
        } catch (IOException e) {
            return null;
        }
    }

    private static int[] size(byte[] head, InputStream rest) throws IOException {
        if (head.length >= 24 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G') {
            return positive(be32(head, 16), be32(head, 20));
        }
        if (head.length >= 26 && head[0] == 'B' && head[1] == 'M') {
            return positive(le32(head, 18), Math.abs(le32(head, 22)));
        }
        if (head.length >= 4 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8) {
            return jpeg(head, rest);
        }
        if (head.length >= HEAD && head[0] == 'R' && head[1] == 'I' && head[8] == 'W' && head[9] == 'E' && head[10] == 'B') {
            return webp(head);
        }
        return null;
    }

    /** The canvas of a WebP file: lossy ({@code VP8 }), lossless ({@code VP8L}) or extended ({@code VP8X}). */
    private static int[] webp(byte[] h) {
        String chunk = new String(h, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
        switch (chunk) {
            case "VP8X":
                return positive(1 + le24(h, 24), 1 + le24(h, 27));
            case "VP8L": {
                int bits = le32(h, 21);
                return positive(1 + (bits & 0x3FFF), 1 + ((bits >>> 14) & 0x3FFF));
            }
            case "VP8 ":
                return positive(le16(h, 26) & 0x3FFF, le16(h, 28) & 0x3FFF);
            default:
                return null;
        }
    }

    /** Walks JPEG markers up to the first start-of-frame; {@code head} holds the first bytes already read. */
    private static int[] jpeg(byte[] head, InputStream rest) throws IOException {
        byte[] all = concat(head, rest.readNBytes(MAX_JPEG_SCAN));
        int i = 2;
        while (i + 9 < all.length) {
            if ((all[i] & 0xff) != 0xFF) {
                return null;
            }
            int marker = all[i + 1] & 0xff;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            int length = ((all[i + 2] & 0xff) << 8) | (all[i + 3] & 0xff);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                int h = ((all[i + 5] & 0xff) << 8) | (all[i + 6] & 0xff);
                int w = ((all[i + 7] & 0xff) << 8) | (all[i + 8] & 0xff);
                return positive(w, h);
            }
            if (length < 2) {
                return null;
            }
            i += 2 + length;
        }
        return null;
    }

    private static int[] positive(int w, int h) {
        return w > 0 && h > 0 ? new int[] {w, h} : null;
    }

    private static int be32(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8) | ((b[at + 2] & 0xff) << 16) | ((b[at + 3] & 0xff) << 24);
    }

    private static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8);
    }

    private static int le24(byte[] b, int at) {
        return le16(b, at) | ((b[at + 2] & 0xff) << 16);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
