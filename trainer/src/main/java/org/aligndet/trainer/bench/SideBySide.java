package org.aligndet.trainer.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times several variants of the same work in one process, in alternating blocks (A A B B A A B B
 * ...), so that a neighbour's load or a warming cache falls on every variant alike; per variant the
 * time of each run, the minor page faults and system seconds of its runs, and its peak resident set
 * (the peak is reset before each block where Linux allows it), and the faults of the runs after the first of
 * each block apart ({@link Timing#steadyFaultsPerRun}).
 */
public final class SideBySide {
    /** One run of a variant; {@code run} is its 0-based index within the variant. */
    public interface Work {
        void run(int run) throws Exception;
    }

    private final Map<String, Work> variants = new LinkedHashMap<>();

    public SideBySide add(String name, Work work) {
        variants.put(name, work);
        return this;
    }

    /**
     * @param warmup untimed runs of each variant first (DJL's executor specialises per shape)
     * @param runs   timed runs of each variant
     * @param block  runs per block (at least 1)
     */
    public Map<String, Timing> measure(int warmup, int runs, int block) throws Exception {
        Map<String, Integer> done = new LinkedHashMap<>();
        for (Map.Entry<String, Work> v : variants.entrySet()) {
            for (int i = 0; i < warmup; i++) {
                v.getValue().run(-1 - i);
            }
            done.put(v.getKey(), 0);
        }
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        Map<String, long[]> faults = new LinkedHashMap<>();
        Map<String, double[]> system = new LinkedHashMap<>();
        Map<String, long[]> peak = new LinkedHashMap<>();
        Map<String, long[]> steady = new LinkedHashMap<>(); // faults, runs
        variants.keySet().forEach(k -> {
            seconds.put(k, new ArrayList<>());
            faults.put(k, new long[1]);
            system.put(k, new double[1]);
            peak.put(k, new long[] {-1});
            steady.put(k, new long[2]);
        });
        boolean counters = ProcStats.now().available();
        int b = Math.max(1, block);
        while (done.values().stream().anyMatch(n -> n < runs)) {
            for (Map.Entry<String, Work> v : variants.entrySet()) {
                String k = v.getKey();
                int n = Math.min(b, runs - done.get(k));
                boolean peakReset = ProcStats.resetPeak();
                ProcStats before = ProcStats.now();
                ProcStats afterFirst = null;
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    v.getValue().run(done.get(k) + i);
                    seconds.get(k).add((System.nanoTime() - t0) / 1e9);
                    if (i == 0 && counters) {
                        afterFirst = ProcStats.now();
                    }
                }
                ProcStats end = ProcStats.now();
                ProcStats d = end.minus(before);
                if (afterFirst != null && n > 1) {
                    steady.get(k)[0] += end.minus(afterFirst).minorFaults();
                    steady.get(k)[1] += n - 1;
                }
                faults.get(k)[0] += d.minorFaults();
                system.get(k)[0] += d.systemSeconds();
                if (peakReset && n > 0) {
                    peak.get(k)[0] = Math.max(peak.get(k)[0], d.peakRssBytes());
                }
                done.put(k, done.get(k) + n);
            }
        }
        Map<String, Timing> out = new LinkedHashMap<>();
        for (String k : variants.keySet()) {
            double[] s = seconds.get(k).stream().mapToDouble(Double::doubleValue).toArray();
            long[] st = steady.get(k);
            out.put(k, counters ? new Timing(s, faults.get(k)[0], system.get(k)[0], peak.get(k)[0], st[1] > 0 ? st[0] : -1, (int) st[1])
                    : new Timing(s, -1, -1, -1));
        }
        return out;
    }
}
