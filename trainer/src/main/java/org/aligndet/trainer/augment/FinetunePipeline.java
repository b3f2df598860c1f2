package org.aligndet.trainer.augment;

import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.data.Instance;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The supervised pipeline: resize, flip, normalise, pad (no photometric op whatever the config
 * says); boxes keep their labels and annotation ids. Instances marked {@code ignore} or
 * {@code crowd} are left to the caller to drop before or after.
 */
public final class FinetunePipeline {
    private final ViewPipeline view;

    public FinetunePipeline(AugmentConfig config) {
        this.view = new ViewPipeline(config.withPhotometric(false));
    }

    public View apply(Mat bgr, List<Instance> instances, SplittableRandom rng) {
        return view.apply(bgr, BoxList.of(instances), rng);
    }
}
