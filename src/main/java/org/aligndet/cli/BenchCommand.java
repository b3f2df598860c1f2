package org.aligndet.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.aligndet.bridge.io.FileTrees;
import org.aligndet.export.bench.CocoEvalBench;
import org.aligndet.export.bench.InferenceBench;
import org.aligndet.trainer.bench.BenchResult;
import org.aligndet.trainer.bench.LoaderBench;
import org.aligndet.trainer.bench.ProposalsBench;
import org.aligndet.trainer.bench.StepBench;
import org.aligndet.trainer.finetune.FinetuneOptions;
import org.aligndet.trainer.finetune.FinetuneStepBench;
import org.aligndet.trainer.pretrain.PretrainOptions;
import org.aligndet.trainer.pretrain.PretrainStepBench;
import org.aligndet.trainer.proposals.SearchMode;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code aligndet bench}: speed benchmarks that print medians with min-max over repeated runs and
 * the ratios of variants measured side by side in the same process; {@code --json} writes the same.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Speed benchmarks. Each prints a table of medians with min-max over repeated runs, page faults, system "
            + "time and peak memory per variant, and ratios of variants measured side by side in one run (never across runs). "
            + "The defaults are short (the tiny specs, minutes on 2 cores); the R50 figures come by flag.",
        subcommands = {BenchCommand.PretrainStep.class, BenchCommand.FinetuneStep.class, BenchCommand.Inference.class,
                BenchCommand.Loader.class, BenchCommand.Proposals.class, BenchCommand.CocoEval.class},
        footer = {"%nExample:%n  aligndet bench pretrain-step --spec retinanet_r50_fpn --size 800x1088 --batch 2 --iters 3 --json r50.json",
            "%nExit codes: 0 measured, 1 error, 2 usage."})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A size in pixels. */
    record Dims(int h, int w) {
    }

    /** {@code HxW}: height and width in pixels. */
    static final class Size implements ITypeConverter<Dims> {
        @Override
        public Dims convert(String value) {
            String[] p = value.toLowerCase(java.util.Locale.ROOT).split("x");
            try {
                if (p.length == 2) {
                    int h = Integer.parseInt(p[0].trim());
                    int w = Integer.parseInt(p[1].trim());
                    if (h >= 32 && w >= 32 && h <= 8192 && w <= 8192) {
                        return new Dims(h, w);
                    }
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new TypeConversionException("'" + value + "' is not a size HxW with both sides in [32, 8192] (e.g. 800x1088)");
        }
    }

    /** How many runs, and where the JSON goes. */
    static final class Runs {
        @Option(names = "--iters", paramLabel = "N", defaultValue = "10", converter = Ranges.AtLeastOne.class,
                description = "timed runs of each variant (default: ${DEFAULT-VALUE})")
        int iters;

        @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", converter = Ranges.NonNegative.class,
                description = "untimed runs of each variant first (default: ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--json", paramLabel = "FILE", description = "also write the result as JSON (default: none)")
        Path json;

        void report(BenchResult r, PrintStream out) throws java.io.IOException {
            r.print(out);
            if (json != null) {
                r.writeJson(json);
                out.println("wrote " + json);
            }
        }
    }

    /** What the two step benchmarks share. */
    static class StepArgs {
        @Option(names = "--spec", paramLabel = "NAME", defaultValue = "retinanet_tiny", description = "model spec (default: ${DEFAULT-VALUE})")
        String spec;

        @Option(names = "--size", paramLabel = "HxW", defaultValue = "512x512", converter = Size.class,
                description = "input size of every view, before padding to the divisor (default: ${DEFAULT-VALUE})")
        Dims size;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "2", converter = Ranges.AtLeastOne.class,
                description = "images per step (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--block", paramLabel = "N", defaultValue = "5", converter = Ranges.AtLeastOne.class,
                description = "runs per block; the variants alternate block by block (default: ${DEFAULT-VALUE})")
        int block;

        @Mixin
        Runs runs;

        @Mixin
        RuntimeOptions runtime;

        StepBench.Settings settings() {
            return new StepBench.Settings(runs.warmup, runs.iters, block);
        }
    }

    @Command(name = "pretrain-step", mixinStandardHelpOptions = true,
            description = "AlignDet's pre-training step (full_step: two views, assignment, sampling, projector, losses, backward, "
                + "SGD, EMA) against the same graph calls alone (graph_only: online and momentum forwards, backward from a trivial "
                + "loss); overhead = full / graph-only - 1, and the phases of the full step.",
            footer = {"%nExample:%n  aligndet bench pretrain-step --iters 10 --json pretrain-step.json",
                "%nExit codes: 0 measured, 1 error, 2 usage."})
    static final class PretrainStep extends StepArgs implements Callable<Integer> {
        @Option(names = "--proposals", paramLabel = "N", defaultValue = "100", converter = Ranges.AtLeastOne.class,
                description = "proposals per image (default: ${DEFAULT-VALUE})")
        int proposals;

        @Option(names = "--torch", paramLabel = "PYTHON",
                description = "a Python with torch: also time the same graph work driven from PyTorch (tools/bench/"
                    + "torch_pretrain_step.py; run from the repository root) (default: none)")
        Path torch;

        @Override
        public Integer call() throws Exception {
            ModelSpecs specs = ModelSpecs.locate();
            ModelSpec s = specs.load(spec);
            PretrainOptions o = PretrainOptions.fromSpec(s, specs.pretrainGraph(spec));
            o.batch = batch;
            runtime.applyTo(o);
            runs.report(PretrainStepBench.run(o, size.h(), size.w(), proposals, settings(), torch, System.out), System.out);
            return 0;
        }
    }

    @Command(name = "finetune-step", mixinStandardHelpOptions = true,
            description = "The fine-tuning step (full_step: forward, target assignment, losses, backward, clipping, SGD) against the "
                + "same graph calls alone (graph_only: forwards and backward from a trivial loss); overhead = full / graph-only - 1.",
            footer = {"%nExample:%n  aligndet bench finetune-step --spec fcos_tiny --json finetune-step.json",
                "%nExit codes: 0 measured, 1 error, 2 usage."})
    static final class FinetuneStep extends StepArgs implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            ModelSpecs specs = ModelSpecs.locate();
            FinetuneOptions o = FinetuneOptions.fromSpec(specs.load(spec), specs.graph(spec), FinetuneOptions.ALIGNDET);
            o.batch = batch;
            runtime.applyTo(o);
            runs.report(FinetuneStepBench.run(o, size.h(), size.w(), settings(), System.out), System.out);
            return 0;
        }
    }

    @Command(name = "inference", mixinStandardHelpOptions = true,
            description = "Per-image latency, batch 1: ONNX Runtime against TorchScript through DJL on the same model and image, "
                + "and with --eager torchvision's eager RetinaNet R50 too; ratios of medians.",
            footer = {"%nExample:%n  aligndet bench inference --spec retinanet_r50_fpn --scale 800 --iters 6 --eager /usr/bin/python3",
                "%nExit codes: 0 measured, 1 error, 2 usage."})
    static final class Inference implements Callable<Integer> {
        @Option(names = "--spec", paramLabel = "NAME", defaultValue = "retinanet_tiny", description = "model spec (default: ${DEFAULT-VALUE})")
        String spec;

        @Option(names = "--size", paramLabel = "HxW", defaultValue = "480x640", converter = Size.class,
                description = "the source image's size (default: ${DEFAULT-VALUE})")
        Dims size;

        @Option(names = "--scale", paramLabel = "PX", defaultValue = "0", converter = Ranges.NonNegative.class,
                description = "short side the image is resized to; 0: the spec's test scale (default: ${DEFAULT-VALUE})")
        int scale;

        @Option(names = "--threads", paramLabel = "N", defaultValue = "0", converter = Ranges.NonNegative.class,
                description = "threads of each runtime; 0: their defaults (default: ${DEFAULT-VALUE})")
        int threads;

        @Option(names = "--block", paramLabel = "N", defaultValue = "5", converter = Ranges.AtLeastOne.class,
                description = "runs per block; the runtimes alternate block by block (default: ${DEFAULT-VALUE})")
        int block;

        @Option(names = "--eager", paramLabel = "PYTHON",
                description = "a Python with torch and torchvision: also time torchvision's eager retinanet_resnet50_fpn "
                    + "(R50 RetinaNet specs; run from the repository root) (default: none)")
        Path eager;

        @Option(names = "--ort-profile", paramLabel = "PREFIX",
                description = "write ONNX Runtime's profile (per-node times) to a file starting with PREFIX and print the time "
                    + "share per operator type (default: none)")
        Path ortProfile;

        @Mixin
        Runs runs;

        @Override
        public Integer call() throws Exception {
            runs.report(InferenceBench.run(ModelSpecs.locate(), spec, new InferenceBench.Settings(size.h(), size.w(), scale, runs.warmup,
                    runs.iters, block, threads, eager, ortProfile), System.out), System.out);
            return 0;
        }
    }

    @Command(name = "loader", mixinStandardHelpOptions = true,
            description = "The pre-training loader (JPEG decode, two augmented views, collation) over generated JPEGs, per worker "
                + "count: images per second.",
            footer = {"%nExample:%n  aligndet bench loader --workers 1,2,4 --size 480x640",
                "%nExit codes: 0 measured, 1 error, 2 usage."})
    static final class Loader implements Callable<Integer> {
        @Option(names = "--images", paramLabel = "N", defaultValue = "32", converter = Ranges.AtLeastOne.class,
                description = "generated images per pass (default: ${DEFAULT-VALUE})")
        int images;

        @Option(names = "--size", paramLabel = "HxW", defaultValue = "480x640", converter = Size.class,
                description = "image size; the views keep it (default: ${DEFAULT-VALUE})")
        Dims size;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "4", converter = Ranges.AtLeastOne.class,
                description = "images per batch (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--workers", paramLabel = "N,N", split = ",", defaultValue = "1,2",
                description = "worker counts to compare (default: ${DEFAULT-VALUE})")
        List<Integer> workers;

        @Mixin
        Runs runs;

        @Override
        public Integer call() throws Exception {
            Path dir = Files.createTempDirectory("aligndet-bench-loader");
            try {
                runs.report(LoaderBench.run(dir, images, size.h(), size.w(), batch, workers, runs.warmup, runs.iters, System.out),
                        System.out);
            } finally {
                FileTrees.delete(dir);
            }
            return 0;
        }
    }

    @Command(name = "proposals", mixinStandardHelpOptions = true,
            description = "Selective search per image, one thread, for each mode, on generated scenes.",
            footer = {"%nExample:%n  aligndet bench proposals --modes fast,quality,single --images 8",
                "%nExit codes: 0 measured, 1 error, 2 usage."})
    static final class Proposals implements Callable<Integer> {
        @Option(names = "--images", paramLabel = "N", defaultValue = "6", converter = Ranges.AtLeastOne.class,
                description = "generated images per run (default: ${DEFAULT-VALUE})")
        int images;

        @Option(names = "--size", paramLabel = "HxW", defaultValue = "480x640", converter = Size.class,
                description = "image size (default: ${DEFAULT-VALUE})")
        Dims size;

        @Option(names = "--long-side", paramLabel = "PX", defaultValue = "500", converter = Ranges.AtLeastOne.class,
                description = "long side the search runs at, as in the proposals command (default: ${DEFAULT-VALUE})")
        int longSide;

        @Option(names = "--modes", paramLabel = "M,M", split = ",", defaultValue = "fast,single",
                description = "search modes to compare: fast, quality, single (default: ${DEFAULT-VALUE})")
        List<String> modes;

        @Mixin
        Runs runs;

        @Override
        public Integer call() throws Exception {
            List<SearchMode> m = new ArrayList<>();
            for (String s : modes) {
                m.add(SearchMode.parse(s));
            }
            runs.report(ProposalsBench.run(images, size.h(), size.w(), longSide, m, runs.warmup, runs.iters, System.out), System.out);
            return 0;
        }
    }

    @Command(name = "coco-eval", mixinStandardHelpOptions = true,
            description = "COCO box evaluation on a generated val2017-sized case (80 categories, 100 detections per image): reading "
                + "the ground truth and the results, evaluating.",
            footer = {"%nExample:%n  aligndet bench coco-eval --images 5000 --iters 3",
                "%nExit codes: 0 measured, 1 error, 2 usage."})
    static final class CocoEval implements Callable<Integer> {
        @Option(names = "--images", paramLabel = "N", defaultValue = "5000", converter = Ranges.AtLeastOne.class,
                description = "generated images (default: ${DEFAULT-VALUE}, as val2017)")
        int images;

        @Mixin
        Runs runs;

        @Override
        public Integer call() throws Exception {
            Path dir = Files.createTempDirectory("aligndet-bench-coco");
            try {
                runs.report(CocoEvalBench.run(dir, images, runs.iters, System.out), System.out);
            } finally {
                FileTrees.delete(dir);
            }
            return 0;
        }
    }
}
