package org.aligndet.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aligndet.export.reproduce.Budget;
import org.aligndet.export.reproduce.ReproducePlan;
import org.aligndet.export.reproduce.ReproduceReport;
import org.aligndet.export.reproduce.Reproduction;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The paper's Table 2 in miniature on the synthetic benchmark. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = {"The paper's low-data protocol (Table 2) in miniature, from nothing: synthetic data (an unlabelled "
                + "training pool and a validation split), selective-search proposals, the image-domain backbone, AlignDet "
                + "pre-training on the whole pool, then fine-tuning of the baseline (backbone only), AlignDet and the control "
                + "(the baseline with AlignDet's recipe) on fractions of the pool, short and long schedules, paired folds.",
            "Writes report.json (runs, summary: deltas with standard errors, ablations), report.md and PNGs of validation AP "
                + "and losses against iteration. Resumable: finished stages and runs in --out are kept."},
        footer = {"%nExamples:%n  aligndet reproduce --spec retinanet_tiny --budget small --seed 7 --out repro-small",
            "  aligndet reproduce --budget small --seed 7 --out repro-small --ablations cls_only,reg_only   (adds the pretext "
                + "ablations to the same folder)",
            "%nExit codes: 0 done, 1 error, 2 usage."})
final class ReproduceCommand implements Callable<Integer> {
    @Option(names = "--spec", paramLabel = "NAME|FILE.json", defaultValue = "retinanet_tiny",
            description = "a tiny spec: retinanet_tiny, fcos_tiny, faster_rcnn_tiny, or a spec file FILE.json of that size (default: ${DEFAULT-VALUE})")
    String spec;

    @Option(names = "--budget", paramLabel = "B", defaultValue = "small",
            description = "small (about 30 min on 2 cores: 10%% labels, short schedule, 3 folds, 3 arms) or full (5, 10 and "
                    + "100%% labels on both schedules, 5 folds, the ablations; many hours on a CPU) (default: ${DEFAULT-VALUE})")
    String budget;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "seed of the data and of every run (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reproduce-out", description = "where everything goes (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--backbone", paramLabel = "CKPT",
            description = "the image-domain backbone (default: the committed model-specs/weights/tiny_backbone_synth.pth)")
    Path backbone;

    @Option(names = "--folds", paramLabel = "N", description = "paired folds per cell (default: the budget's)")
    Integer folds;

    @Option(names = "--pretrain-iters", paramLabel = "N", description = "pre-training iterations (default: the budget's)")
    Integer pretrainIters;

    @Option(names = "--short-iters", paramLabel = "N", description = "fine-tuning iterations of the short schedule (default: the budget's)")
    Integer shortIters;

    @Option(names = "--long-iters", paramLabel = "N", description = "fine-tuning iterations of the long schedule (default: the budget's)")
    Integer longIters;

    @Option(names = "--cells", split = ",", paramLabel = "F:S",
            description = "the (label fraction, schedule) cells to run, e.g. 0.1:short,0.1:long (default: the budget's)")
    java.util.List<String> cells;

    @Option(names = "--arms", split = ",", paramLabel = "ARM",
            description = "arms to run: baseline, aligndet, baseline_aligndet_recipe (default: the budget's)")
    java.util.List<String> arms;

    @Option(names = "--ablations", split = ",", paramLabel = "on|off|NAME",
            description = "ablations to run: on (the budget's; full has all three), off, or names among cls_only, reg_only, "
                    + "trainable_backbone, run at the budget's ablation cells or else its grid (default: on)")
    java.util.List<String> ablations;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "libtorch CPU threads; 0: libtorch's default (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--workers", paramLabel = "N", description = "data loader threads (default: cores - 1)")
    Integer workers;

    @Override
    public Integer call() throws Exception {
        ModelSpecs specs = ModelSpecs.locate();
        ModelSpec s = specs.load(spec);
        Budget b = Budget.parse(budget);
        ReproducePlan plan = adjusted(b.plan());
        Path bb = backbone != null ? backbone : specs.directory().resolve("weights/tiny_backbone_synth.pth");
        if (!Files.exists(bb)) {
            throw new IllegalArgumentException(bb + ": no image-domain backbone; give --backbone CKPT");
        }
        int w = workers != null ? workers : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        PrintStream o = System.out;
        o.printf("reproduce: %s, budget %s, seed %d -> %s%n", spec, b.id(), seed, out.toAbsolutePath());
        ReproduceReport r = new Reproduction(new Reproduction.Settings(specs, s, b, plan, seed, out, bb, threads, w), o).run();
        o.println();
        o.print(r.markdown().lines().takeWhile(l -> !l.startsWith("## AP50")).reduce("", (x, y) -> x + y + "\n"));
        o.printf(Locale.ROOT, "report: %s, %s (%.0f min)%n", out.resolve("report.json"), out.resolve("report.md"), r.seconds() / 60);
        return 0;
    }

    private ReproducePlan adjusted(ReproducePlan p) {
        Map<String, Integer> sched = new LinkedHashMap<>(p.schedules());
        if (shortIters != null) {
            sched.put("short", positive(shortIters, "--short-iters"));
        }
        if (longIters != null) {
            sched.put("long", positive(longIters, "--long-iters"));
        }
        return new ReproducePlan(p.poolImages(), p.valImages(), p.imageSize(),
                pretrainIters != null ? positive(pretrainIters, "--pretrain-iters") : p.pretrainIters(), p.pretrainBatch(),
                p.samples(), p.posFraction(), p.finetuneBatch(), sched, cells != null ? parseCells(cells) : p.grid(),
                folds != null ? positive(folds, "--folds") : p.folds(), arms != null ? parseArms(arms) : p.arms(),
                selectedAblations(p), p.valPoints(), p.lossPoints());
    }

    private java.util.List<ReproducePlan.Ablation> selectedAblations(ReproducePlan p) {
        if (ablations == null || ablations.equals(java.util.List.of("on"))) {
            return p.ablations();
        }
        if (ablations.equals(java.util.List.of("off"))) {
            return java.util.List.of();
        }
        java.util.List<ReproducePlan.Cell> at = p.ablations().isEmpty() ? (cells != null ? parseCells(cells) : p.grid())
                : p.ablations().get(0).cells();
        Map<String, ReproducePlan.Ablation> known = new LinkedHashMap<>();
        Budget.standardAblations(at).forEach(a -> known.put(a.name(), a));
        java.util.List<ReproducePlan.Ablation> out = new java.util.ArrayList<>();
        for (String name : ablations) {
            ReproducePlan.Ablation a = known.get(name);
            if (a == null) {
                throw new IllegalArgumentException("--ablations takes on, off or names among " + String.join(", ", known.keySet())
                        + ", got '" + name + "'");
            }
            out.add(a);
        }
        return out;
    }

    private static java.util.List<ReproducePlan.Cell> parseCells(java.util.List<String> cells) {
        java.util.List<ReproducePlan.Cell> out = new java.util.ArrayList<>();
        for (String c : cells) {
            String[] parts = c.split(":");
            try {
                double f = Double.parseDouble(parts[0]);
                if (parts.length != 2 || !(f > 0 && f <= 1)) {
                    throw new NumberFormatException();
                }
                out.add(new ReproducePlan.Cell(f, parts[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--cells takes FRACTION:SCHEDULE with a fraction in (0, 1], got '" + c + "'");
            }
        }
        return out;
    }

    private static java.util.List<org.aligndet.export.reproduce.Arm> parseArms(java.util.List<String> names) {
        java.util.List<org.aligndet.export.reproduce.Arm> out = new java.util.ArrayList<>();
        for (String n : names) {
            out.add(switch (n) {
                case "baseline" -> org.aligndet.export.reproduce.Arm.BASELINE;
                case "aligndet" -> org.aligndet.export.reproduce.Arm.ALIGNDET;
                case "baseline_aligndet_recipe" -> org.aligndet.export.reproduce.Arm.CONTROL;
                default -> throw new IllegalArgumentException("--arms takes baseline, aligndet, baseline_aligndet_recipe; got '" + n + "'");
            });
        }
        return out;
    }

    private static int positive(int v, String option) {
        if (v < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + v);
        }
        return v;
    }
}
