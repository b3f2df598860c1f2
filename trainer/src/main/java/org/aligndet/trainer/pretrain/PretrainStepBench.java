package org.aligndet.trainer.pretrain;

import ai.djl.Device;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.trainer.bench.BenchResult;
import org.aligndet.trainer.bench.BenchScenes;
import org.aligndet.trainer.bench.PythonReference;
import org.aligndet.trainer.bench.StepBench;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.run.TrainingLoop;

/**
 * {@code bench pretrain-step}: AlignDet's pre-training step ({@link PretrainTask} as training builds
 * it, on generated scenes of a fixed size with proposals) against the same graph calls alone; see
 * {@link StepBench}.
 */
public final class PretrainStepBench {
    private PretrainStepBench() {
    }

    /**
     * @param o         the run's options as {@link PretrainOptions#fromSpec} gives them, with the bench's
     *                  batch, device and threads; scale and output folder are set here
     * @param height    input height of both views (before padding to the divisor)
     * @param proposals proposals per image
     * @param torchPython a Python with torch to time the same graph work driven from PyTorch
     *                    ({@code tools/bench/torch_pretrain_step.py}) in the same run, or null
     */
    public static BenchResult run(PretrainOptions o, int height, int width, int proposals, StepBench.Settings s, Path torchPython,
                                  PrintStream log) throws Exception {
        o.longSide = Math.max(height, width);
        o.shortSides = List.of(Math.min(height, width));
        o.logEvery = Integer.MAX_VALUE; // no diagnostics inside the timed step (training computes them once per log line)
        Device device = TrainingLoop.runtime(o);
        BenchScenes scenes = new BenchScenes(height, width, o.spec.numClasses(), proposals, o.seed);
        List<ImageRecord> records = scenes.withProposals(2 * o.batch);
        try (PretrainTask task = new PretrainTask(o, records, device, log)) {
            List<Batch> batches = scenes.batches(records, task.transform(), o.batch, 2);
            BenchResult r = StepBench.run("pretrain-step", o, task, batches, (views, scope) -> task.graphOnly(views), s, log);
            r.setting("spec", o.spec.name()).setting("device", Devices.describe(device)).setting("batch", o.batch)
                    .setting("size", height + "x" + width).setting("padded", batches.get(0).views().get(0).height() + "x"
                            + batches.get(0).views().get(0).width())
                    .setting("samples_per_image", o.samplesPerImage).setting("proposals_per_image", proposals)
                    .setting("torch_threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
            if (torchPython != null) {
                int threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
                PythonReference.Result ref = PythonReference.run(torchPython, "torch_pretrain_step.py", List.of("--graph",
                        o.graph.toString(), "--batch", String.valueOf(o.batch), "--height", String.valueOf(batches.get(0).views().get(0)
                                .height()), "--width", String.valueOf(batches.get(0).views().get(0).width()), "--iters",
                        String.valueOf(s.iters()), "--warmup", String.valueOf(Math.max(1, s.warmup())), "--threads",
                        String.valueOf(threads)), log);
                r.variant("torch_loop", ref.timing());
                r.ratio("full_over_torch_loop", "full_step", "torch_loop");
                r.ratio("graph_only_over_torch_loop", "graph_only", "torch_loop");
                if (ref.timing().peakRssBytes() > 0 && r.variant("full_step").peakRssBytes() > 0) {
                    r.ratio("peak_rss_over_torch_loop", (double) r.variant("full_step").peakRssBytes() / ref.timing().peakRssBytes());
                }
                r.note("torch_loop: the same graph from PyTorch " + ref.json().path("torch").asText()
                        + " (graph calls, backward of the outputs' means, SGD, EMA), run after the Java variants");
            }
            return r;
        }
    }
}
