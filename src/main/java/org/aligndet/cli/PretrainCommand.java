package org.aligndet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aligndet.trainer.pretrain.AlignDetPretrainer;
import org.aligndet.trainer.pretrain.PretrainOptions;
import org.aligndet.trainer.pretrain.Pretext;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.spec.RecipeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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
    @Option(names = "--spec", required = true, paramLabel = "NAME|FILE.json", description = SpecRefs.DESCRIPTION)
    String spec;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "image root of the proposals file")
    Path images;

    @Option(names = "--proposals", required = true, paramLabel = "FILE", description = "COCO-format proposals (aligndet proposals, or AlignDet's released files)")
    Path proposals;

    @Option(names = "--backbone", paramLabel = "CKPT", description = "backbone weights: this project's, mmdetection's, torchvision's or MoCo's checkpoint (default: the graph's own)")
    Path backbone;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory (checkpoints, metrics, loss curve, pretrained.pth)")
    Path out;

    @Option(names = "--samples", paramLabel = "N", converter = Ranges.AtLeastOne.class, description = "sampled priors per image and view, positives first (default: the recipe's)")
    Integer samples;

    @Option(names = "--sample-pos-fraction", paramLabel = "F", converter = Ranges.Fraction.class,
            description = "largest share of positives in each sample, in (0, 1], the rest background (default: the recipe's; AlignDet: 1)")
    Double samplePosFraction;

    @Option(names = "--pretext", paramLabel = "P", defaultValue = "both",
            description = "pretext tasks: both (AlignDet), cls (box contrastive only) or reg (regression only) (default: ${DEFAULT-VALUE})")
    String pretext;

    @Option(names = "--train-backbone", description = "train the backbone too, the paper's Table 11 (default: off; AlignDet freezes it)")
    boolean trainBackbone;

    @Mixin
    TrainingOptions training;

    @Mixin
    ConfigOptions settings;

    @Mixin
    RuntimeOptions runtime;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws Exception {
        new OutputPaths(command).in("--images", images).in("--proposals", proposals).in("--backbone", backbone).out("--out", out).check();
        ModelSpecs specs = ModelSpecs.locate();
        RecipeConfig rc = settings.recipeConfig(command);
        ModelSpec s = rc.applyTo(specs.load(spec));
        PretrainOptions o = PretrainOptions.fromSpec(s, specs.pretrainGraph(spec));
        o.images = images;
        o.proposals = proposals;
        o.backbone = backbone;
        o.out = out;
        if (samples != null) {
            o.samplesPerImage = samples;
        }
        if (samplePosFraction != null) {
            o.samplePosFraction = samplePosFraction;
        }
        o.pretext = Pretext.parse(pretext);
        o.trainBackbone = trainBackbone;
        training.applyTo(o);
        runtime.applyTo(o);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("temperature", o.temperature);
        extra.put("ema_momentum", o.emaBase);
        extra.put("projector_dim", o.projectorDim);
        extra.put("sample_boxes", o.samplesPerImage);
        extra.put("sample_pos_fraction", o.samplePosFraction);
        extra.put("img_scale", List.of(o.longSide, o.shortSides));
        extra.put("pretext", pretext);
        extra.put("train_backbone", trainBackbone);
        settings.finish(command, "pretrain", s, rc, training, o, s.pretrainRecipe().batch(), extra);
        AlignDetPretrainer.Result r = new AlignDetPretrainer(o, System.err).run();
        PrintStream stdout = System.out;
        stdout.printf("pretrain %s: %d/%d iterations%s%n", spec, r.iterations(), r.totalIterations(), r.stopped() ? " (stopped; --resume continues)" : "");
        stdout.printf("  first losses %s%n  last losses  %s%n", fmt(r.firstLosses()), fmt(r.lastLosses()));
        if (r.pretrained() != null) {
            stdout.printf("  pre-trained detector: %s%n", r.pretrained());
        }
        stdout.printf("  checkpoint %s, metrics %s, loss curve %s%n", r.lastCheckpoint(), r.metrics(), r.curve());
        if (r.skippedImages() > 0) {
            stdout.printf("  %d images skipped, missing or unreadable (listed above)%n", r.skippedImages());
        }
        return 0;
    }

    /** Loss values and the gradient norm with four decimals, sample counts without; diagnostics left to metrics.jsonl. */
    static String fmt(Map<String, Double> m) {
        StringBuilder b = new StringBuilder();
        for (var e : m.entrySet()) {
            if (e.getKey().equals("positives") || e.getKey().equals("background")) {
                b.append(String.format(" %s=%.0f", e.getKey(), e.getValue()));
            } else if (e.getKey().startsWith("loss") || e.getKey().equals("grad_norm")) {
                b.append(String.format(" %s=%.4f", e.getKey(), e.getValue()));
            }
        }
        return b.toString().trim();
    }
}
