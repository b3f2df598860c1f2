package org.aligndet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The one check that a command does not write over what it reads: each output path is compared
 * with each input path (and with the other outputs) as the same file, following symbolic links
 * ({@link Files#isSameFile} where both exist; otherwise the real path of the nearest existing
 * folder plus the rest of the normalised absolute path). A clash is a usage error (exit code 2)
 * naming both options and the path.
 *
 * <pre>{@code new OutputPaths(spec).in("--checkpoint", ckpt).out("--out", onnx).check();}</pre>
 */
final class OutputPaths {
    private record Named(String option, Path path) {
    }

    private final CommandSpec spec;
    private final List<Named> inputs = new ArrayList<>();
    private final List<Named> outputs = new ArrayList<>();

    OutputPaths(CommandSpec spec) {
        this.spec = spec;
    }

    /** An input; null is ignored. */
    OutputPaths in(String option, Path path) {
        if (path != null) {
            inputs.add(new Named(option, path));
        }
        return this;
    }

    /** An input given as text that may name a file ({@code --classes}); null or a non-path is ignored. */
    OutputPaths in(String option, String maybePath) {
        try {
            return maybePath == null ? this : in(option, Path.of(maybePath));
        } catch (InvalidPathException e) {
            return this;
        }
    }

    /** A file or folder the command writes; null is ignored. */
    OutputPaths out(String option, Path path) {
        if (path != null) {
            outputs.add(new Named(option, path));
        }
        return this;
    }

    /** @throws ParameterException when an output is the same file as an input or another output */
    void check() {
        for (int i = 0; i < outputs.size(); i++) {
            Named o = outputs.get(i);
            for (Named in : inputs) {
                if (same(o.path(), in.path())) {
                    throw clash(o, in, "read as");
                }
            }
            for (Named other : outputs.subList(0, i)) {
                if (same(o.path(), other.path())) {
                    throw clash(o, other, "also written as");
                }
            }
        }
    }

    private ParameterException clash(Named out, Named other, String how) {
        return new ParameterException(spec.commandLine(), out.option() + " " + canonical(out.path()) + " is the file " + how + " "
                + other.option() + ": it would be overwritten; choose another output path");
    }

    /** Whether two paths name the same file, links followed, whether or not they exist yet. */
    static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // fall through to the comparison of canonical paths
        }
        return canonical(a).equals(canonical(b));
    }

    /** The real path of the nearest existing ancestor, with the rest of the normalised absolute path appended. */
    static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Deque<Path> rest = new ArrayDeque<>();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            rest.push(existing.getFileName());
            existing = existing.getParent();
        }
        Path base;
        try {
            base = existing == null ? abs.getRoot() : existing.toRealPath();
        } catch (IOException e) {
            base = existing;
        }
        for (Path name : rest) {
            base = base.resolve(name);
        }
        return base;
    }
}
