package org.aligndet.trainer.augment;

import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.data.Instance;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * AlignDet's two views of one image: each view is an independent draw of the same
 * {@link ViewPipeline}, both carry the same proposals (same ids) in their own pixel frames. A
 * proposal can drop out of one view only by clipping to nothing, which a keep-ratio resize and a
 * flip never cause for a proposal inside the image; pair views by {@link BoxList#ids()}.
 */
public final class TwoViewPipeline {
    private final ViewPipeline view;

    public TwoViewPipeline(AugmentConfig config) {
        this.view = new ViewPipeline(config);
    }

    /** The two views; view 1 draws from {@code rng.split()}, then view 2 from another {@code rng.split()}. */
    public TwoViews apply(Mat bgr, List<Instance> proposals, SplittableRandom rng) {
        BoxList boxes = BoxList.of(proposals);
        SplittableRandom r1 = rng.split();
        SplittableRandom r2 = rng.split();
        return new TwoViews(view.apply(bgr, boxes, r1), view.apply(bgr, boxes, r2));
    }

    /** The online detector's view ({@code first}) and the momentum detector's ({@code second}). */
    public record TwoViews(View first, View second) {
    }
}
