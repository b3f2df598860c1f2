package org.aligndet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aligndet.trainer.pretrain.AlignDetPretrainer;
import org.aligndet.trainer.pretrain.PretrainOptions;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** AlignDet box-domain pre-training of a dense detector's neck and head. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"AlignDet box-domain pre-training: frozen backbone; neck and head trained without labels on "
                + "selective-search proposals (box contrastive loss between an online and a momentum detector, plus the "
                + "detector's own regression losses).",
            "Recipe defaults come from the spec's 'pretrain' section (the paper's appendix for the R50 specs)."})
final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--spec", required = true, description = "model spec, e.g. retinanet_tiny, fcos_r50_fpn")
    String spec;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "image root of the proposals file")
    Path images;

    @Option(names = "--proposals", required = true, paramLabel = "FILE", description = "COCO-format proposals (aligndet proposals, or AlignDet's released files)")
    Path proposals;

    @Option(names = "--backbone", paramLabel = "CKPT", description = "backbone weights: this project's, mmdetection's, torchvision's or MoCo's checkpoint")
    Path backbone;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory (checkpoints, metrics, loss curve, pretrained.pth)")
    Path out;

    @Option(names = "--epochs", description = "default: the spec's recipe") Integer epochs;
    @Option(names = "--batch", description = "images per iteration; default: the spec's recipe") Integer batch;
    @Option(names = "--lr", description = "base learning rate; default: the spec's recipe") Double lr;
    @Option(names = "--weight-decay", description = "default: the spec's recipe") Double weightDecay;
    @Option(names = "--warmup-iters", description = "linear warm-up iterations; default: the spec's recipe") Integer warmupIters;
    @Option(names = "--samples", description = "sampled priors per image and view; default: the spec's recipe") Integer samples;
    @Option(names = "--max-iters", defaultValue = "0", description = "stop after N iterations in all (0: run the epochs)") long maxIters;
    @Option(names = "--checkpoint-every", defaultValue = "0", description = "also checkpoint every N iterations (0: each epoch)") int checkpointEvery;
    @Option(names = "--keep", defaultValue = "3", description = "iteration checkpoints kept (default: ${DEFAULT-VALUE})") int keep;
    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})") String device;
    @Option(names = "--workers", description = "data loader threads (default: cores - 1)") Integer workers;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--resume", description = "continue from the run directory's latest checkpoint") boolean resume;
    @Option(names = "--log-every", defaultValue = "10", description = "metrics line every N iterations") int logEvery;

    @Override
    public Integer call() throws Exception {
        ModelSpecs specs = ModelSpecs.locate();
        ModelSpec s = specs.load(spec);
        PretrainOptions o = PretrainOptions.fromSpec(s, specs.graph(spec));
        o.images = images;
        o.proposals = proposals;
        o.backbone = backbone;
        o.out = out;
        if (epochs != null) o.epochs = epochs;
        if (batch != null) o.batch = batch;
        if (lr != null) o.lr = lr;
        if (weightDecay != null) o.weightDecay = weightDecay;
        if (warmupIters != null) o.warmupIters = warmupIters;
        if (samples != null) o.samplesPerImage = samples;
        if (workers != null) o.workers = workers;
        o.maxIters = maxIters;
        o.checkpointEvery = checkpointEvery;
        o.keepCheckpoints = keep;
        o.device = device;
        o.seed = seed;
        o.resume = resume;
        o.logEvery = logEvery;
        PrintStream log = System.err;
        AlignDetPretrainer.Result r = new AlignDetPretrainer(o, log).run();
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

    static String fmt(Map<String, Double> m) {
        StringBuilder b = new StringBuilder();
        for (var e : m.entrySet()) {
            if (List.of("positives").contains(e.getKey())) {
                b.append(String.format(" %s=%.0f", e.getKey(), e.getValue()));
            } else {
                b.append(String.format(" %s=%.4f", e.getKey(), e.getValue()));
            }
        }
        return b.toString().trim();
    }
}
