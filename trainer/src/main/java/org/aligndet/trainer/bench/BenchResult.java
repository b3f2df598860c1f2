package org.aligndet.trainer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aligndet.bridge.io.AtomicFiles;

/**
 * What one benchmark measured: its settings, a {@link Timing} per variant, the ratios between them
 * (each a ratio of medians measured side by side in the same run) and free-form figures and notes.
 * Printed as a table ({@link #print}) and written as JSON ({@link #writeJson}): the settings under
 * {@code settings}, each variant under its own name, the ratios and figures at the top level.
 */
public final class BenchResult {
    private final String bench;
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final Map<String, Timing> variants = new LinkedHashMap<>();
    private final Map<String, Double> ratios = new LinkedHashMap<>();
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String> notes = new java.util.ArrayList<>();

    /** A result whose settings start with the glibc malloc tuning in force (it changes step times several-fold). */
    public BenchResult(String bench) {
        this.bench = bench;
        StringBuilder m = new StringBuilder();
        for (String k : new String[] {"MALLOC_ARENA_MAX", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_"}) {
            String v = System.getenv(k);
            m.append(m.length() == 0 ? "" : " ").append(k).append('=').append(v == null ? "unset" : v);
        }
        settings.put("malloc", m.toString());
        settings.put("allocator", ProcStats.allocator());
        settings.put("java_heap_pages", ProcStats.javaHeapPages());
        if (System.getenv("TCMALLOC_RELEASE_RATE") != null) { // 0 (the launcher's): freed pages are kept
            settings.put("tcmalloc_release_rate", System.getenv("TCMALLOC_RELEASE_RATE"));
        }
    }

    public String bench() {
        return bench;
    }

    public BenchResult setting(String key, Object value) {
        settings.put(key, value);
        return this;
    }

    public BenchResult variant(String name, Timing t) {
        variants.put(name, t);
        return this;
    }

    public BenchResult variants(Map<String, Timing> all) {
        variants.putAll(all);
        return this;
    }

    public Timing variant(String name) {
        Timing t = variants.get(name);
        if (t == null) {
            throw new IllegalArgumentException(bench + ": no variant '" + name + "' (have " + variants.keySet() + ")");
        }
        return t;
    }

    /** {@code name = median(a) / median(b)}. */
    public double ratio(String name, String a, String b) {
        double r = variant(a).median() / variant(b).median();
        ratios.put(name, r);
        return r;
    }

    public BenchResult ratio(String name, double value) {
        ratios.put(name, value);
        return this;
    }

    public BenchResult figure(String name, Object value) {
        figures.put(name, value);
        return this;
    }

    public BenchResult note(String text) {
        notes.add(text);
        return this;
    }

    public Map<String, Double> ratios() {
        return ratios;
    }

    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bench", bench);
        m.put("settings", settings);
        variants.forEach((k, v) -> m.put(k, v.json()));
        m.putAll(ratios);
        m.putAll(figures);
        if (!notes.isEmpty()) {
            m.put("notes", notes);
        }
        return m;
    }

    /** Writes {@link #json()} atomically (temp file + rename). */
    public void writeJson(Path file) throws IOException {
        byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json());
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** The table: one row per variant (median, min-max, faults (all runs, and steady: see {@link Timing#steadyFaultsPerRun}) and system time per run, peak RSS), then ratios, figures, notes. */
    public void print(PrintStream out) {
        out.printf(Locale.ROOT, "%s  %s%n", bench, settings);
        out.printf(Locale.ROOT, "  %-22s %10s %21s %6s %13s %13s %11s %10s%n", "variant", "median s", "min-max s", "runs", "faults/run",
                "steady f/run", "sys s/run", "peak MB");
        variants.forEach((k, t) -> out.printf(Locale.ROOT, "  %-22s %10.4f %10.4f-%-10.4f %6d %13s %13s %11s %10s%n", k, t.median(), t.min(),
                t.max(), t.runs(), t.faultsPerRun() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", t.faultsPerRun()),
                t.steadyFaultsPerRun() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", t.steadyFaultsPerRun()),
                t.systemPerRun() < 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", t.systemPerRun()),
                t.peakRssBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", t.peakRssBytes() / 1048576.0)));
        ratios.forEach((k, v) -> out.printf(Locale.ROOT, "  %-22s %10.3f%n", k, v));
        figures.forEach((k, v) -> out.printf(Locale.ROOT, "  %-22s %s%n", k, v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : v));
        notes.forEach(n -> out.println("  note: " + n));
    }
}
