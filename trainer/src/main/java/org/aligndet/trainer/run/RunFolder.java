package org.aligndet.trainer.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A training run's folder. A run claims it at start: a folder that already holds a run is refused
 * unless the run continues it ({@code --resume}) or replaces it ({@code --overwrite}, which removes the
 * old run's files first), so two runs never mix. Temporaries that an interrupted atomic write left
 * ({@code .NAME.UUID.tmp}) are removed whenever a run claims the folder.
 */
public final class RunFolder {
    /** Files a run writes beside its checkpoints (the loop's and the stages'). */
    static final List<String> RUN_FILES = List.of("metrics.jsonl", "loss_curve.png", "pretrained.pth", "last.pth", "best.pth",
            "init_report.json", "subset.json");
    static final String CHECKPOINTS = "checkpoints";

    private RunFolder() {
    }

    /** Claims {@code out} for a run; see the class comment. */
    public static void claim(Path out, boolean resume, boolean overwrite, PrintStream log) throws IOException {
        if (resume && overwrite) {
            throw new IllegalArgumentException("--resume continues the run in " + out + " and --overwrite replaces it: give one");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + ": is a file, not a run folder");
        }
        Files.createDirectories(out);
        int stale = removeTemporaries(out) + removeTemporaries(out.resolve(CHECKPOINTS));
        if (stale > 0) {
            log.printf("%s: removed %d temporary file(s) an interrupted write left%n", out, stale);
        }
        List<Path> held = runFiles(out);
        if (held.isEmpty() || resume) {
            return;
        }
        if (!overwrite) {
            throw new IllegalArgumentException(out + " holds a run (" + names(out, held) + "): --resume continues it, --overwrite "
                    + "starts afresh and removes it");
        }
        for (Path p : held) {
            deleteTree(p);
        }
        log.printf("%s: --overwrite removed the previous run (%s)%n", out, names(out, held));
    }

    /** The previous run's files and checkpoint folder in {@code out}, if any. */
    static List<Path> runFiles(Path out) throws IOException {
        List<Path> held = new ArrayList<>();
        for (String f : RUN_FILES) {
            if (Files.exists(out.resolve(f))) {
                held.add(out.resolve(f));
            }
        }
        Path ckpt = out.resolve(CHECKPOINTS);
        if (Files.isDirectory(ckpt)) {
            try (Stream<Path> s = Files.list(ckpt)) {
                if (s.findAny().isPresent()) {
                    held.add(ckpt);
                }
            }
        }
        return held;
    }

    private static int removeTemporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> tmp;
        try (Stream<Path> s = Files.list(dir)) {
            tmp = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(".") && n.endsWith(".tmp") && Files.isRegularFile(p);
            }).toList();
        }
        for (Path p : tmp) {
            Files.deleteIfExists(p);
        }
        return tmp.size();
    }

    private static String names(Path out, List<Path> held) {
        return String.join(", ", held.stream().map(p -> out.relativize(p).toString()).toList());
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
