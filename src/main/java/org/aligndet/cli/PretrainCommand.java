package org.aligndet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aligndet.trainer.pretrain.AlignDetPretrainer;
import org.aligndet.trainer.pretrain.PretrainOptions;
import org.aligndet.trainer.spec.ModelSpecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** AlignDet box-domain pre-training of a dense detector's neck and head. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"AlignDet box-domain pre-training: frozen backbone; neck and head trained without labels on "
                + "selective-search proposals (box contrastive loss between an online and a momentum detector, plus the "
                + "detector's own regression losses).",
            "Recipe defaults come from the spec's 'pretrain' section (the paper's appendix for the R50 specs)."},
        footer = {"%nExample:%n  aligndet pretrain --spec retinanet_tiny --images data/train --proposals ss.json \\%n"
                + "      --backbone model-specs/weights/tiny_backbone_synth.pth --out runs/pre --iters 300",
            "%nExit codes: 0 done (or stopped by a signal: --resume continues), 1 error, 2 usage."})
final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--spec", required = true, paramLabel = "NAME", description = "model spec, e.g. retinanet_tiny, fcos_r50_fpn")
    String spec;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "image root of the proposals file")
    Path images;

    @Option(names = "--proposals", required = true, paramLabel = "FILE", description = "COCO-format proposals (aligndet proposals, or AlignDet's released files)")
    Path proposals;

    @Option(names = "--backbone", paramLabel = "CKPT", description = "backbone weights: this project's, mmdetection's, torchvision's or MoCo's checkpoint (default: the graph's own)")
    Path backbone;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory (checkpoints, metrics, loss curve, pretrained.pth)")
    Path out;

    @Option(names = "--samples", paramLabel = "N", description = "sampled priors per image and view, positives first (default: the recipe's)")
    Integer samples;

    @Mixin
    TrainingOptions training;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        ModelSpecs specs = ModelSpecs.locate();
        PretrainOptions o = PretrainOptions.fromSpec(specs.load(spec), specs.graph(spec));
        o.images = images;
        o.proposals = proposals;
        o.backbone = backbone;
        o.out = out;
        if (samples != null) {
            o.samplesPerImage = samples;
        }
        training.applyTo(o);
        runtime.applyTo(o);
        AlignDetPretrainer.Result r = new AlignDetPretrainer(o, System.err).run();
        PrintStream stdout = System.out;
        stdout.printf("pretrain %s: %d/%d iterations%s%n", spec, r.iterations(), r.totalIterations(), r.stopped() ? " (stopped; --resume continues)" : "");
        stdout.printf("  first losses %s%n  last losses  %s%n", fmt(r.firstLosses()), fmt(r.lastLosses()));
        if (r.pretrained() != null) {
            stdout.printf("  pre-trained detector: %s%n", r.pretrained());
        }
        stdout.printf("  checkpoint %s, metrics %s, loss curve %s%n", r.lastCheckpoint(), r.metrics(), r.curve());
        if (r.skippedImages() > 0) {
            stdout.printf("  %d unreadable images skipped (listed above)%n", r.skippedImages());
        }
        return 0;
    }

    /** Loss values with four decimals, counts without. */
    static String fmt(Map<String, Double> m) {
        StringBuilder b = new StringBuilder();
        for (var e : m.entrySet()) {
            if (e.getKey().equals("positives") || e.getKey().equals("background")) {
                b.append(String.format(" %s=%.0f", e.getKey(), e.getValue()));
            } else if (!e.getKey().endsWith("time")) {
                b.append(String.format(" %s=%.4f", e.getKey(), e.getValue()));
            }
        }
        return b.toString().trim();
    }
}
