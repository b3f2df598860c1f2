package org.aligndet.trainer.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.io.AtomicFiles;

/**
 * A run directory's checkpoints: {@code iter_NNNNNNNN.pth} files written atomically (temp file +
 * rename, by {@link TorchCheckpoint#write}), a {@code latest} pointer replaced atomically after each
 * write, and only the newest {@code keep} iteration checkpoints kept. Named checkpoints
 * ({@code best.pth}, {@code final.pth}) are never pruned.
 */
public final class CheckpointStore {
    private static final Pattern ITER = Pattern.compile("iter_(\\d+)\\.pth");
    public static final String LATEST = "latest";

    private final Path dir;
    private final int keep;

    public CheckpointStore(Path dir, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1, got " + keep);
        }
        this.dir = dir;
        this.keep = keep;
        Files.createDirectories(dir);
    }

    public Path directory() {
        return dir;
    }

    /** Writes {@code iter_<iteration>.pth}, points {@code latest} at it, prunes old ones; returns the file. */
    public Path save(long iteration, Object root) throws IOException {
        Path file = dir.resolve(String.format("iter_%08d.pth", iteration));
        TorchCheckpoint.write(file, root);
        pointLatest(file);
        prune();
        return file;
    }

    /** Writes a named checkpoint ({@code best}, {@code final}, ...) that pruning leaves alone. */
    public Path saveNamed(String name, Object root) throws IOException {
        Path file = dir.resolve(name + ".pth");
        TorchCheckpoint.write(file, root);
        return file;
    }

    private void pointLatest(Path file) throws IOException {
        AtomicFiles.write(dir.resolve(LATEST), (file.getFileName().toString() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void prune() throws IOException {
        List<Path> iters = iterationCheckpoints();
        for (int i = 0; i < iters.size() - keep; i++) {
            Files.deleteIfExists(iters.get(i));
        }
    }

    /** Iteration checkpoints, oldest first. */
    public List<Path> iterationCheckpoints() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> ITER.matcher(p.getFileName().toString()).matches()).forEach(out::add);
        }
        out.sort(Comparator.comparingLong(CheckpointStore::iterationOf));
        return out;
    }

    static long iterationOf(Path p) {
        Matcher m = ITER.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * The checkpoint {@code latest} points at; without a pointer, the newest iteration checkpoint. A
     * pointer naming a file that does not exist is an error naming both, never a silent fall-back to
     * another run's checkpoint.
     */
    public Optional<Path> latest() throws IOException {
        Path pointer = dir.resolve(LATEST);
        if (Files.exists(pointer)) {
            Path f = dir.resolve(Files.readString(pointer, StandardCharsets.UTF_8).trim());
            if (!Files.exists(f)) {
                throw new IllegalStateException(pointer + " names " + f + ", which does not exist: the run folder was changed "
                        + "by hand; restore the file or start afresh with --overwrite");
            }
            return Optional.of(f);
        }
        List<Path> iters = iterationCheckpoints();
        return iters.isEmpty() ? Optional.empty() : Optional.of(iters.get(iters.size() - 1));
    }
}
