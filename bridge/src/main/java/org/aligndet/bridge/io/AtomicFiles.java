package org.aligndet.bridge.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writing a file so that nothing is lost: the content goes to a temporary sibling, which then
 * replaces the target by an atomic rename. A reader sees the old file or the new one, never half of
 * one, and an interrupted write leaves the old file. The temporary file is created with the default
 * mode (not {@code Files.createTempFile}'s 0600, which would stick to the target after the rename).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** What writes the content. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code target} atomically; parent folders are created. */
    public static void write(Path target, Body body) throws IOException {
        Path tmp = tempSibling(target);
        try {
            OutputStream file = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try (OutputStream out = FileBytes.chunked(file)) {
                body.writeTo(out);
            }
            commit(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * A fresh, not yet existing path beside {@code target} (hidden, unique), for writers that need a
     * file name (libtorch, image encoders); pass it to {@link #commit} when complete. Parent folders
     * are created.
     */
    public static Path tempSibling(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        return abs.resolveSibling("." + abs.getFileName() + "." + UUID.randomUUID() + ".tmp");
    }

    /** Moves a finished temporary file over {@code target}: atomically where the file system can. */
    public static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
