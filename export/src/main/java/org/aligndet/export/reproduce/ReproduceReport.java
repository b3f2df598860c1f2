package org.aligndet.export.reproduce;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.aligndet.bridge.io.AtomicFiles;
import org.aligndet.export.reproduce.ReproducePlan.Ablation;
import org.aligndet.export.reproduce.ReproducePlan.Cell;

/**
 * The reproduction's results: every run, and the arms paired fold by fold per (fraction, schedule,
 * metric). Written as {@code report.json} ({@code runs}, {@code summary}, {@code ablations}) and
 * {@code report.md} (Table 2's shape: deltas with their standard errors).
 *
 * @param summary   AlignDet against the baseline (and the control arm, when run) per cell and metric
 * @param ablations each ablation arm against the baseline per cell and metric
 */
public record ReproduceReport(String spec, String budget, long seed, ReproducePlan plan, double seconds, List<RunRecord> runs,
                              List<SummaryEntry> summary, List<AblationEntry> ablations) {
    public static final List<String> METRICS = List.of("AP", "AP50", "AP75");

    /**
     * One cell and metric of Table 2.
     *
     * @param controlMean          mean of {@code baseline_aligndet_recipe}, NaN when not run
     * @param deltaVsControlMean   AlignDet minus the control, paired; NaN when not run
     * @param deltaVsControlSe     its standard error
     */
    public record SummaryEntry(double fraction, String schedule, String metric, double baselineMean, double aligndetMean,
                               double deltaMean, double deltaSe, int folds, int positiveFolds, double controlMean,
                               double deltaVsControlMean, double deltaVsControlSe) {
    }

    /** An ablation arm against the baseline. */
    public record AblationEntry(String arm, double fraction, String schedule, String metric, double mean, double baselineMean,
                                double deltaMean, double deltaSe, int folds, int positiveFolds) {
    }

    public static ReproduceReport of(String spec, String budget, long seed, ReproducePlan plan, List<RunRecord> runs,
                                     double seconds) {
        List<SummaryEntry> summary = new ArrayList<>();
        boolean control = plan.arms().contains(Arm.CONTROL);
        for (Cell c : plan.grid()) {
            for (String m : METRICS) {
                Optional<PairedDelta> d = paired(runs, plan.folds(), c, m, Arm.ALIGNDET.name(), Arm.BASELINE.name());
                if (d.isEmpty()) {
                    continue;
                }
                Optional<PairedDelta> dc = control
                        ? paired(runs, plan.folds(), c, m, Arm.ALIGNDET.name(), Arm.CONTROL.name()) : Optional.empty();
                PairedDelta p = d.get();
                summary.add(new SummaryEntry(c.fraction(), c.schedule(), m, p.referenceMean(), p.treatedMean(), p.deltaMean(),
                        p.deltaSe(), p.folds(), p.positiveFolds(), dc.map(PairedDelta::referenceMean).orElse(Double.NaN),
                        dc.map(PairedDelta::deltaMean).orElse(Double.NaN), dc.map(PairedDelta::deltaSe).orElse(Double.NaN)));
            }
        }
        List<AblationEntry> ablations = new ArrayList<>();
        for (Ablation a : plan.ablations()) {
            for (Cell c : a.cells()) {
                for (String m : METRICS) {
                    paired(runs, plan.folds(), c, m, a.arm().name(), Arm.BASELINE.name()).ifPresent(p -> ablations.add(
                            new AblationEntry(a.arm().name(), c.fraction(), c.schedule(), m, p.treatedMean(), p.referenceMean(),
                                    p.deltaMean(), p.deltaSe(), p.folds(), p.positiveFolds())));
                }
            }
        }
        List<RunRecord> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparing(RunRecord::schedule).thenComparing(RunRecord::fraction).thenComparing(RunRecord::fold)
                .thenComparing(RunRecord::arm));
        return new ReproduceReport(spec, budget, seed, plan, seconds, sorted, summary, ablations);
    }

    /** Treated against reference over the folds where both ran. */
    static Optional<PairedDelta> paired(List<RunRecord> runs, int folds, Cell c, String metric, String treated, String reference) {
        List<Double> t = new ArrayList<>();
        List<Double> r = new ArrayList<>();
        for (int fold = 1; fold <= folds; fold++) {
            Optional<RunRecord> a = find(runs, treated, c, fold);
            Optional<RunRecord> b = find(runs, reference, c, fold);
            if (a.isPresent() && b.isPresent()) {
                t.add(a.get().metric(metric));
                r.add(b.get().metric(metric));
            }
        }
        return t.isEmpty() ? Optional.empty() : Optional.of(PairedDelta.of(t, r));
    }

    static Optional<RunRecord> find(List<RunRecord> runs, String arm, Cell c, int fold) {
        return runs.stream().filter(x -> x.arm().equals(arm) && x.fraction() == c.fraction() && x.schedule().equals(c.schedule())
                && x.fold() == fold).findFirst();
    }

    /** The entry of a cell and metric, if it was run. */
    public Optional<SummaryEntry> entry(double fraction, String schedule, String metric) {
        return summary.stream().filter(e -> e.fraction() == fraction && e.schedule().equals(schedule) && e.metric().equals(metric))
                .findFirst();
    }

    /** Writes {@code report.json} and {@code report.md} into {@code dir}, atomically. */
    public void write(Path dir) throws IOException {
        AtomicFiles.write(dir.resolve("report.json"), Reproduction.JSON.writeValueAsBytes(this));
        AtomicFiles.write(dir.resolve("report.md"), markdown().getBytes(StandardCharsets.UTF_8));
    }

    /** Table 2's shape per metric: rows = label fraction, columns per schedule: baseline, AlignDet, delta +- se. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "# AlignDet reproduction: %s, budget %s, seed %d%n%n", spec, budget, seed));
        b.append(String.format(Locale.ROOT, "%d-image unlabelled pool (pre-training: %d iterations), %d validation images; "
                        + "fine-tuning on a fraction of the pool, %s; %d paired folds; %.0f min in all.%n%n", plan.poolImages(),
                plan.pretrainIters(), plan.valImages(), schedulesText(), plan.folds(), seconds / 60));
        List<String> schedules = new ArrayList<>(new java.util.LinkedHashSet<>(summary.stream().map(SummaryEntry::schedule).toList()));
        List<Double> fractions = summary.stream().map(SummaryEntry::fraction).distinct().sorted().toList();
        for (String m : METRICS) {
            b.append("## ").append(m).append(" (COCO, validation split)\n\n| labels |");
            for (String s : schedules) {
                b.append(String.format(" %s: baseline | %s: AlignDet | %s: delta +- se | %s: folds > 0 |", s, s, s, s));
            }
            b.append("\n|---|").append("---|---|---|---|".repeat(schedules.size())).append('\n');
            for (double f : fractions) {
                b.append(String.format(Locale.ROOT, "| %s%% |", pct(f)));
                for (String s : schedules) {
                    Optional<SummaryEntry> e = entry(f, s, m);
                    b.append(e.map(x -> String.format(Locale.ROOT, " %.3f | %.3f | %+.3f +- %.3f | %d/%d |", x.baselineMean(),
                            x.aligndetMean(), x.deltaMean(), x.deltaSe(), x.positiveFolds(), x.folds())).orElse(" | | | |"));
                }
                b.append('\n');
            }
            b.append('\n');
        }
        if (plan.arms().contains(Arm.CONTROL)) {
            b.append("## Control: the baseline with AlignDet's recipe (lr x 1.5, weight decay x 0.5)\n\n");
            b.append("| labels | schedule | metric | control | AlignDet | delta vs control +- se |\n|---|---|---|---|---|---|\n");
            for (SummaryEntry e : summary) {
                b.append(String.format(Locale.ROOT, "| %s%% | %s | %s | %.3f | %.3f | %+.3f +- %.3f |%n", pct(e.fraction()),
                        e.schedule(), e.metric(), e.controlMean(), e.aligndetMean(), e.deltaVsControlMean(), e.deltaVsControlSe()));
            }
            b.append('\n');
        }
        if (!ablations.isEmpty()) {
            b.append("## Ablations (against the baseline)\n\n| arm | labels | schedule | metric | arm | baseline | delta +- se |"
                    + " folds > 0 |\n|---|---|---|---|---|---|---|---|\n");
            for (AblationEntry e : ablations) {
                b.append(String.format(Locale.ROOT, "| %s | %s%% | %s | %s | %.3f | %.3f | %+.3f +- %.3f | %d/%d |%n", e.arm(),
                        pct(e.fraction()), e.schedule(), e.metric(), e.mean(), e.baselineMean(), e.deltaMean(), e.deltaSe(),
                        e.positiveFolds(), e.folds()));
            }
            b.append('\n');
        }
        b.append(lossTable());
        return b.toString();
    }

    /** Mean losses at the fixed iterations, per arm and cell (the paper's Figure 7 in numbers). */
    private String lossTable() {
        StringBuilder b = new StringBuilder("## Fine-tuning losses at fixed iterations (mean over folds)\n\n"
                + "| arm | labels | schedule | iteration | loss_cls | loss_bbox |\n|---|---|---|---|---|---|\n");
        Map<String, List<RunRecord>> groups = new LinkedHashMap<>();
        for (RunRecord r : runs) {
            groups.computeIfAbsent(r.arm() + "|" + r.fraction() + "|" + r.schedule(), k -> new ArrayList<>()).add(r);
        }
        for (List<RunRecord> g : groups.values()) {
            RunRecord first = g.get(0);
            for (int i = 0; i < first.losses().size(); i++) {
                final int k = i;
                double cls = g.stream().mapToDouble(r -> r.losses().get(k).lossCls()).average().orElse(Double.NaN);
                double box = g.stream().mapToDouble(r -> r.losses().get(k).lossBbox()).average().orElse(Double.NaN);
                b.append(String.format(Locale.ROOT, "| %s | %s%% | %s | %d | %.4f | %.4f |%n", first.arm(), pct(first.fraction()),
                        first.schedule(), first.losses().get(k).iter(), cls, box));
            }
        }
        return b.toString();
    }

    private String schedulesText() {
        List<String> parts = new ArrayList<>();
        plan.schedules().entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> parts.add(e.getKey() + " = " + e.getValue() + " iterations"));
        return String.join(", ", parts);
    }

    private static String pct(double f) {
        double p = 100 * f;
        return p == Math.rint(p) ? Long.toString(Math.round(p)) : Double.toString(p);
    }
}
