package org.aligndet.bridge.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Whole-file reads and large writes that leave no file-sized native buffer behind.
 *
 * <p>The JDK's channel I/O copies a heap array through a temporary direct buffer as large as the
 * request, and keeps that buffer in a per-thread cache for the thread's lifetime (unless
 * {@code jdk.nio.maxCachedBufferSize} says otherwise). {@code Files.readAllBytes} asks for the whole
 * file in one request, and so does writing a whole array to a {@code Files.newOutputStream}: loading a
 * 152 MB R50 graph left 152 MB of native memory in the loading thread for good. Here every request
 * is at most {@link #CHUNK} bytes.
 */
public final class FileBytes {
    private FileBytes() {
    }

    /** The largest single request handed to a channel. */
    static final int CHUNK = 1 << 20;

    /**
     * The file's bytes, like {@code Files.readAllBytes} and with its exceptions (a missing file is a
     * {@code NoSuchFileException}; a directory fails on the read), read in chunks.
     */
    public static byte[] readAll(Path file) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": " + size + " bytes, too large to read into one array");
            }
            byte[] out = new byte[(int) size];
            int n = 0;
            while (true) {
                if (n == out.length) {
                    // the size was a hint: a file that grew since is read to its end
                    int next = ch.read(ByteBuffer.allocate(1));
                    if (next <= 0) {
                        return out;
                    }
                    out = Arrays.copyOf(out, Math.max(out.length + CHUNK, out.length * 2));
                    ch.position(n);
                }
                int r = ch.read(ByteBuffer.wrap(out, n, Math.min(CHUNK, out.length - n)));
                if (r < 0) {
                    return Arrays.copyOf(out, n);
                }
                n += r;
            }
        }
    }

    /** {@code out}, with every write of more than {@link #CHUNK} bytes handed on in pieces of at most that. */
    public static OutputStream chunked(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                for (int done = 0; done < len; ) {
                    int n = Math.min(CHUNK, len - done);
                    out.write(b, off + done, n);
                    done += n;
                }
            }
        };
    }
}
