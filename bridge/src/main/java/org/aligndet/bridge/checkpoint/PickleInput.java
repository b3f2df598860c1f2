package org.aligndet.bridge.checkpoint;

import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked little-endian reads over the bytes of a pickle. Every read that would run past
 * the end throws {@link CheckpointFormatException} saying the pickle is truncated, before anything
 * is allocated, so a declared length can never allocate more than the bytes that are there.
 */
final class PickleInput {
    private static final int MAX_LINE = 1 << 16;

    private final String source;
    private final byte[] data;
    private int pos;

    PickleInput(String source, byte[] data) {
        this.source = source;
        this.data = data;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos >= data.length;
    }

    CheckpointFormatException truncated(long needed) {
        return new CheckpointFormatException(source + ": truncated pickle (needs " + needed
                + " more bytes at offset " + pos + ", " + (data.length - pos) + " left)");
    }

    private void need(long n) throws CheckpointFormatException {
        if (n < 0 || n > data.length - pos) {
            throw truncated(n);
        }
    }

    int u8() throws CheckpointFormatException {
        need(1);
        return data[pos++] & 0xff;
    }

    int u16() throws CheckpointFormatException {
        need(2);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    int i32() throws CheckpointFormatException {
        need(4);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16
                | (data[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long u32() throws CheckpointFormatException {
        return i32() & 0xffffffffL;
    }

    long i64() throws CheckpointFormatException {
        long lo = u32();
        long hi = u32();
        return lo | hi << 32;
    }

    /** Reads {@code n} bytes; {@code n} may be any declared length, it is checked first. */
    byte[] bytes(long n) throws CheckpointFormatException {
        need(n);
        byte[] out = new byte[(int) n];
        System.arraycopy(data, pos, out, 0, (int) n);
        pos += (int) n;
        return out;
    }

    String utf8(long n) throws CheckpointFormatException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    /** A protocol-0 argument: the bytes up to the next newline, without it. */
    String line() throws CheckpointFormatException {
        int end = pos;
        while (end < data.length && data[end] != '\n') {
            if (end - pos > MAX_LINE) {
                throw new CheckpointFormatException(source + ": pickle text argument longer than "
                        + MAX_LINE + " bytes at offset " + pos);
            }
            end++;
        }
        if (end >= data.length) {
            throw new CheckpointFormatException(source + ": truncated pickle (unterminated text argument at offset "
                    + pos + ")");
        }
        String s = new String(data, pos, end - pos, StandardCharsets.UTF_8);
        pos = end + 1;
        return s;
    }
}
