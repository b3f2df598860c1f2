package org.aligndet.bridge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileBytes}: the bytes as the JDK reads and writes them, without a file-sized native buffer left behind. */
class FileBytesTest {
    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt();
        }
        return b;
    }

    @Test
    void readsWhatTheJdkReads() throws IOException {
        int chunk = FileBytes.CHUNK;
        for (int n : new int[] {0, 1, 4093, chunk - 1, chunk, chunk + 1, 3 * chunk + 17}) {
            Path f = dir.resolve("f" + n);
            Files.write(f, random(n, n));
            assertArrayEquals(Files.readAllBytes(f), FileBytes.readAll(f), "size " + n);
        }
    }

    @Test
    void aMissingFileAndAFolderFailAsInTheJdk() {
        assertThrows(NoSuchFileException.class, () -> FileBytes.readAll(dir.resolve("missing.bin")));
        assertThrows(IOException.class, () -> FileBytes.readAll(dir));
    }

    /** Direct (native) memory the JDK's buffer pool holds now. */
    private static long directBytes() {
        for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (p.getName().equals("direct")) {
                return p.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }

    /**
     * What {@code io} leaves in direct memory, measured on a fresh thread (whose temporary-buffer
     * cache starts empty) before it ends (when the cache would be freed).
     */
    private static long directLeftBy(IoAction io) throws Exception {
        AtomicLong grown = new AtomicLong();
        AtomicReference<Exception> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                long before = directBytes();
                io.run();
                grown.set(directBytes() - before);
            } catch (Exception e) {
                failed.set(e);
            }
        });
        t.start();
        t.join();
        if (failed.get() != null) {
            throw failed.get();
        }
        return grown.get();
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws Exception;
    }

    @Test
    void aLargeReadOrWriteLeavesAtMostAChunkOfDirectMemory() throws Exception {
        int n = 24 * FileBytes.CHUNK;
        byte[] content = random(n, 7);
        Path f = dir.resolve("large.bin");
        long write = directLeftBy(() -> AtomicFiles.write(f, content));
        long read = directLeftBy(() -> assertArrayEquals(content, FileBytes.readAll(f)));
        // the JDK's own whole-array calls would leave n (24 MB) in the thread's cache; the check is that
        // the fixed size does not stay, with room for other tests' buffers
        assertTrue(write < n / 3, "writing " + n + " bytes left " + write + " bytes of direct memory");
        assertTrue(read < n / 3, "reading " + n + " bytes left " + read + " bytes of direct memory");
        long jdk = directLeftBy(() -> Files.readAllBytes(f));
        assertTrue(jdk >= n, "the JDK's readAllBytes left " + jdk + " bytes: the measurement sees no cache (the check above proves nothing)");
    }
}
