package org.aligndet.trainer.finetune;

import ai.djl.Device;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.bridge.io.FileTrees;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.trainer.bench.BenchResult;
import org.aligndet.trainer.bench.BenchScenes;
import org.aligndet.trainer.bench.StepBench;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.run.TrainingLoop;

/**
 * {@code bench finetune-step}: the supervised fine-tuning step ({@link FinetuneTask} as training
 * builds it, on generated labelled scenes of a fixed size) against the same graph calls alone; see
 * {@link StepBench}. The task's start-up files ({@code init_report.json}) go to a temporary folder
 * that is deleted afterwards.
 */
public final class FinetuneStepBench {
    private FinetuneStepBench() {
    }

    /** @param o the run's options as {@link FinetuneOptions#fromSpec} gives them, with the bench's batch, device and threads */
    public static BenchResult run(FinetuneOptions o, int height, int width, StepBench.Settings s, PrintStream log) throws Exception {
        o.longSide = Math.max(height, width);
        o.shortSide = Math.min(height, width);
        o.logEvery = Integer.MAX_VALUE;
        Device device = TrainingLoop.runtime(o);
        BenchScenes scenes = new BenchScenes(height, width, o.spec.numClasses(), 1, o.seed);
        List<ImageRecord> records = scenes.labelled(2 * o.batch);
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < o.spec.numClasses(); i++) {
            classes.add("c" + i);
        }
        Path tmp = Files.createTempDirectory("aligndet-bench");
        o.out = tmp;
        try (FinetuneTask task = new FinetuneTask(o, new TrainingSet("generated", classes, records, records.size(), 0), null,
                device, log)) {
            List<Batch> batches = scenes.batches(records, task.transform(), o.batch, 2);
            BenchResult r = StepBench.run("finetune-step", o, task, batches, (views, scope) -> task.graphOnly(views.get(0)), s, log);
            r.setting("spec", o.spec.name()).setting("device", Devices.describe(device)).setting("batch", o.batch)
                    .setting("size", height + "x" + width).setting("padded", batches.get(0).views().get(0).height() + "x"
                            + batches.get(0).views().get(0).width())
                    .setting("torch_threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
            return r;
        } finally {
            FileTrees.delete(tmp);
        }
    }
}
