package org.aligndet.trainer.backbone;

import java.nio.file.Path;
import org.aligndet.trainer.run.TrainOptions;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * The image-domain stage's options beyond {@link TrainOptions}; defaults suit the tiny specs on
 * synthetic crops: 12 epochs of batch 32 at 64 px, lr 0.05 with steps at 67% and 90% of the epochs,
 * weight decay 1e-4, clipping at 35. {@link #out} is the run folder; {@link #checkpoint} the result.
 */
public final class BackboneOptions extends TrainOptions {
    public ModelSpec spec;
    public Path graph;
    /** One sub-folder of images per class. */
    public Path crops;
    /** The backbone checkpoint to write. */
    public Path checkpoint;
    /** Crop side in pixels. */
    public int size = 64;
    /** Share of each class's crops held out for accuracy. */
    public double valFraction = 0.1;

    public BackboneOptions() {
        epochs = 12;
        batch = 32;
        lr = 0.05;
        weightDecay = 1e-4;
        momentum = 0.9;
        warmupRatio = 0.001;
        gradClip = 35;
    }

    /** The steps and warm-up for the epoch length: steps at 67% and 90% of the epochs, warm-up at most 100 iterations. */
    void sizeSchedule(int batchesPerEpoch) {
        steps = java.util.stream.IntStream.of((int) (epochs * 0.67), (int) (epochs * 0.9)).filter(s -> s > 0).distinct().toArray();
        warmupIters = Math.min(100, batchesPerEpoch);
    }
}
