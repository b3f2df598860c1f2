package org.aligndet.trainer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A reference timing by a script of {@code tools/bench} run with the user's Python (torch,
 * torchvision) in the same benchmark run, after the Java variants: the script prints one JSON line
 * with {@code seconds} (one per timed run) and optionally {@code minor_faults}, {@code system_s}
 * (over the timed runs) and {@code peak_rss_mb}.
 */
public final class PythonReference {
    private PythonReference() {
    }

    /** The script's result as a {@link Timing}, and the JSON it printed. */
    public record Result(Timing timing, JsonNode json) {
    }

    /** Runs {@code tools/bench/SCRIPT args...} with {@code python}; the working directory must be the repository root. */
    public static Result run(Path python, String script, List<String> args, PrintStream log) throws IOException, InterruptedException {
        Path file = Path.of("tools", "bench", script);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file.toAbsolutePath() + " not found: run the bench from the repository root");
        }
        List<String> cmd = new ArrayList<>(List.of(python.toString(), file.toString()));
        cmd.addAll(args);
        log.println("reference: " + String.join(" ", cmd));
        Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!proc.waitFor(60, TimeUnit.MINUTES) || proc.exitValue() != 0) {
            throw new IllegalStateException(file + " failed (exit " + (proc.isAlive() ? "none, still running" : proc.exitValue()) + "): "
                    + out.trim());
        }
        int at = out.lastIndexOf("{\"seconds\"");
        if (at < 0) {
            throw new IllegalStateException(file + " printed no result line: " + out.trim());
        }
        JsonNode j = new ObjectMapper().readTree(out.substring(at));
        double[] s = new double[j.get("seconds").size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = j.get("seconds").get(i).asDouble();
        }
        long faults = j.has("minor_faults") ? j.get("minor_faults").asLong() : -1;
        double sys = j.has("system_s") ? j.get("system_s").asDouble() : -1;
        long peak = j.has("peak_rss_mb") ? (long) (j.get("peak_rss_mb").asDouble() * 1048576) : -1;
        // its timed runs follow its own warm-up runs, one variant only: every run is a steady one
        return new Result(new Timing(s, faults, sys, peak, faults, faults < 0 ? 0 : s.length), j);
    }
}
