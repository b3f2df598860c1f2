package org.aligndet.trainer.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Repeated measurements of one thing: median, minimum and maximum (the spread a reader needs to
 * judge a ratio on a shared machine), and the per-run counters when they were taken.
 */
public record Timing(double[] seconds, long minorFaults, double systemSeconds, long peakRssBytes, long steadyFaults, int steadyRuns) {
    public static Timing of(List<Double> seconds) {
        return new Timing(seconds.stream().mapToDouble(Double::doubleValue).toArray(), -1, -1, -1);
    }

    /** Without a steady-state fault count (see {@link #steadyFaultsPerRun}). */
    public Timing(double[] seconds, long minorFaults, double systemSeconds, long peakRssBytes) {
        this(seconds, minorFaults, systemSeconds, peakRssBytes, -1, 0);
    }

    public Timing {
        if (seconds.length == 0) {
            throw new IllegalArgumentException("no measurement");
        }
        seconds = seconds.clone();
    }

    public int runs() {
        return seconds.length;
    }

    public double median() {
        double[] s = sorted();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    public double min() {
        return sorted()[0];
    }

    public double max() {
        double[] s = sorted();
        return s[s.length - 1];
    }

    /** The half-range around the median as a fraction of it: 0.1 means the runs stayed within ±10%. */
    public double spread() {
        double m = median();
        return m == 0 ? 0 : Math.max(max() - m, m - min()) / m;
    }

    private double[] sorted() {
        double[] s = seconds.clone();
        Arrays.sort(s);
        return s;
    }

    /** Minor page faults per run (-1: not measured). */
    public double faultsPerRun() {
        return minorFaults < 0 ? -1 : (double) minorFaults / runs();
    }

    /**
     * Minor page faults per run over the runs that followed a run of the same variant (-1: none such, or
     * not measured). The first run after another variant pays for the allocator fitting this variant's
     * allocations into the heap the other left; a training loop runs one variant only, so this is the
     * figure to compare with the reference's.
     */
    public double steadyFaultsPerRun() {
        return steadyFaults < 0 || steadyRuns <= 0 ? -1 : (double) steadyFaults / steadyRuns;
    }

    /** System CPU seconds per run (-1: not measured). */
    public double systemPerRun() {
        return systemSeconds < 0 ? -1 : systemSeconds / runs();
    }

    /** The JSON form: {@code median_s}, {@code min_s}, {@code max_s}, {@code runs}, each run's {@code seconds} in order, and the counters when measured. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median_s", median());
        m.put("min_s", min());
        m.put("max_s", max());
        m.put("runs", runs());
        m.put("seconds", seconds.clone());
        if (minorFaults >= 0) {
            m.put("minor_faults_per_run", faultsPerRun());
            m.put("system_s_per_run", systemPerRun());
        }
        if (steadyFaultsPerRun() >= 0) {
            m.put("steady_minor_faults_per_run", steadyFaultsPerRun());
            m.put("steady_runs", steadyRuns);
        }
        if (peakRssBytes >= 0) {
            m.put("peak_rss_mb", peakRssBytes / 1048576.0);
        }
        return m;
    }

    /** {@code 0.412 s (0.398–0.455)}. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%.4f s (%.4f-%.4f)", median(), min(), max());
    }
}
