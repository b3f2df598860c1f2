package org.aligndet.trainer.pretrain;

import ai.djl.Device;
import java.io.PrintStream;
import java.util.List;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.trainer.bench.BenchResult;
import org.aligndet.trainer.bench.BenchScenes;
import org.aligndet.trainer.bench.StepBench;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.loader.Batch;

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
     */
    public static BenchResult run(PretrainOptions o, int height, int width, int proposals, StepBench.Settings s, PrintStream log)
            throws Exception {
        o.longSide = Math.max(height, width);
        o.shortSides = List.of(Math.min(height, width));
        o.logEvery = Integer.MAX_VALUE; // no diagnostics inside the timed step (training computes them once per log line)
        Device device = Devices.resolveAndLog(o.device);
        if (o.threads > 0) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(o.threads);
        }
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
            return r;
        }
    }
}
