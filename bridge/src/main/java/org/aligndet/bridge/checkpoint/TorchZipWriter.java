package org.aligndet.bridge.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a zip archive the way torch's serializer lays it out: every entry stored uncompressed,
 * and its data starting at a multiple of 64 bytes, padded with an extra field of id {@code "FB"}
 * in the local header (so readers can map storages in place). No zip64: archives and entries
 * must stay under 4 GiB.
 */
final class TorchZipWriter implements AutoCloseable {
    static final int ALIGNMENT = 64;
    private static final long LIMIT = 0xffffffffL;
    private static final int DOS_DATE_1980_01_01 = (1 << 5) | 1;

    private record Entry(byte[] name, long crc, long size, long offset) {
    }

    private final OutputStream out;
    private final List<Entry> entries = new ArrayList<>();
    private long offset;

    TorchZipWriter(OutputStream out) {
        this.out = out;
    }

    /** Appends one stored entry. */
    void add(String name, byte[] data) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(data);
        int headerEnd = (int) ((offset + 30 + n.length + 4) % ALIGNMENT);
        int pad = (ALIGNMENT - headerEnd) % ALIGNMENT;
        if (offset + 30 + n.length + 4 + pad + data.length > LIMIT) {
            throw new IOException("checkpoint would exceed 4 GiB, which this writer does not support (no zip64)");
        }
        entries.add(new Entry(n, crc.getValue(), data.length, offset));
        int32(0x04034b50);
        int16(20);              // version needed
        int16(0);               // flags
        int16(0);               // stored
        int16(0);               // time
        int16(DOS_DATE_1980_01_01);
        int32(crc.getValue());
        int32(data.length);
        int32(data.length);
        int16(n.length);
        int16(4 + pad);
        write(n);
        int16(0x4246);          // "FB": padding so the data is 64-byte aligned
        int16(pad);
        write(new byte[pad]);
        write(data);
    }

    /** Writes the central directory and end record; does not close the stream. */
    void finish() throws IOException {
        long start = offset;
        for (Entry e : entries) {
            int32(0x02014b50);
            int16(20);          // made by
            int16(20);          // needed
            int16(0);
            int16(0);
            int16(0);
            int16(DOS_DATE_1980_01_01);
            int32(e.crc());
            int32(e.size());
            int32(e.size());
            int16(e.name().length);
            int16(0);           // extra
            int16(0);           // comment
            int16(0);           // disk
            int16(0);           // internal attributes
            int32(0);           // external attributes
            int32(e.offset());
            write(e.name());
        }
        long size = offset - start;
        if (offset > LIMIT || entries.size() > 0xffff) {
            throw new IOException("checkpoint too large for a zip without zip64");
        }
        int32(0x06054b50);
        int16(0);
        int16(0);
        int16(entries.size());
        int16(entries.size());
        int32(size);
        int32(start);
        int16(0);
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        offset += b.length;
    }

    private void int16(int v) throws IOException {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        offset += 2;
    }

    private void int32(long v) throws IOException {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        offset += 4;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
