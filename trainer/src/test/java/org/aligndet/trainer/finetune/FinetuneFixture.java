package org.aligndet.trainer.finetune;

import java.nio.file.Files;
import java.nio.file.Path;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;

/** Small synthetic COCO + VOC sets and options for fast fine-tuning runs on the tiny graphs. */
public final class FinetuneFixture {
    private FinetuneFixture() {
    }

    /**
     * Writes {@code images} scenes of side about {@code size} under {@code data} (20% val) unless
     * already there; returns options for a run in {@code out} on the train split at scale (160, 128).
     */
    public static FinetuneOptions make(Path data, Path out, String spec, int images, int size) throws Exception {
        if (!Files.exists(data.resolve("annotations/instances_train.json"))) {
            SynthGenerator.generate(new SynthConfig(data, images, 7, 0.2, size, 0, 96, 2, false, false));
        }
        ModelSpecs specs = ModelSpecs.locate();
        FinetuneOptions o = FinetuneOptions.fromSpec(specs.load(spec), specs.graph(spec), FinetuneOptions.BASELINE);
        o.train = data.resolve("annotations/instances_train.json");
        o.images = data.resolve("train");
        o.out = out;
        o.device = "cpu";
        o.batch = 2;
        o.longSide = 160;
        o.shortSide = 128;
        o.warmupIters = 1;
        o.workers = 1;
        o.logEvery = 1;
        return o;
    }
}
