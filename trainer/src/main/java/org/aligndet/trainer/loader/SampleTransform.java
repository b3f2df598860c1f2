package org.aligndet.trainer.loader;

import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.augment.FinetunePipeline;
import org.aligndet.trainer.augment.TwoViewPipeline;
import org.aligndet.trainer.augment.View;
import org.aligndet.trainer.data.ImageRecord;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Turns one decoded image (8-bit BGR, not to be closed) and its record into a fixed number of
 * views, drawing every random choice from {@code rng} only. Must be safe to call from several
 * threads at once.
 */
@FunctionalInterface
public interface SampleTransform {
    List<View> apply(Mat bgr, ImageRecord record, SplittableRandom rng);

    /** AlignDet pre-training: views [online, momentum] of the record's proposals. */
    static SampleTransform twoView(TwoViewPipeline pipeline) {
        return (bgr, record, rng) -> {
            TwoViewPipeline.TwoViews v = pipeline.apply(bgr, record.instances(), rng);
            return List.of(v.first(), v.second());
        };
    }

    /** Fine-tuning: one view of the record's labelled instances. */
    static SampleTransform finetune(FinetunePipeline pipeline) {
        return (bgr, record, rng) -> List.of(pipeline.apply(bgr, record.instances(), rng));
    }
}
