package org.aligndet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.export.eval.AtomicFiles;
import org.aligndet.export.predict.PredictionRun;

/** How {@code predict} and {@code eval --model} report the images they skipped: missing apart from unreadable. */
final class SkippedImages {
    private SkippedImages() {
    }

    /**
     * Prints the counts and the first few images, and lists every one in {@code listFile} ("path: reason"
     * per line); without skipped images an old {@code listFile} is removed.
     *
     * @param consequence what skipping means, e.g. "scored as images without detections"
     */
    static void report(PrintWriter out, List<PredictionRun.Skipped> skipped, String consequence, Path listFile) {
        if (skipped.isEmpty()) {
            try {
                Files.deleteIfExists(listFile);
            } catch (IOException e) {
                throw new UncheckedIOException(listFile + ": cannot remove the old list of skipped images: " + e.getMessage(), e);
            }
            return;
        }
        long missing = skipped.stream().filter(PredictionRun.Skipped::missing).count();
        List<String> lines = skipped.stream().map(s -> s.file().toAbsolutePath() + ": " + s.reason()).toList();
        AtomicFiles.writeBytes(listFile, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        out.printf("warning: %d images skipped (%d missing, %d unreadable; %s), listed in %s:%n", skipped.size(), missing,
                skipped.size() - missing, consequence, listFile);
        lines.stream().limit(5).forEach(l -> out.println("  " + l));
    }
}
