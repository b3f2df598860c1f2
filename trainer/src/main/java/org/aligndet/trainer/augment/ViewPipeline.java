package org.aligndet.trainer.augment;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One view: keep-ratio resize (short side drawn from the list), horizontal flip, one photometric
 * op, normalise, pad. Random draws, always all made and in this order: short-side index, flip,
 * then op and magnitude when photometric ops are on. Boxes follow each geometric step exactly.
 */
public final class ViewPipeline {
    private final AugmentConfig config;

    public ViewPipeline(AugmentConfig config) {
        this.config = config;
    }

    public AugmentConfig config() {
        return config;
    }

    /**
     * @param bgr   the decoded image, 8-bit BGR (not modified, not closed)
     * @param boxes boxes in the original pixel frame
     * @param rng   this view's generator
     */
    public View apply(Mat bgr, BoxList boxes, SplittableRandom rng) {
        int shortSide = config.shortSides().get(rng.nextInt(config.shortSides().size()));
        boolean flipped = rng.nextDouble() < config.flipProb();
        PhotometricOp.Choice op = config.photometric() ? PhotometricOp.draw(rng) : new PhotometricOp.Choice(PhotometricOp.IDENTITY, 0);

        KeepRatioResize.Plan plan = KeepRatioResize.plan(bgr.cols(), bgr.rows(), config.longSide(), shortSide);
        RgbImage rgb;
        try (Mat resized = KeepRatioResize.apply(bgr, plan)) {
            if (flipped) {
                flip(resized, resized, 1);
            }
            rgb = toRgb(resized);
        }
        BoxList out = boxes.scale(plan.scaleW(), plan.scaleH());
        if (flipped) {
            out = out.flipHorizontal(plan.newWidth());
        }
        out = out.clipAndDrop(plan.newWidth(), plan.newHeight(), config.minBoxSide());
        ImageTensor tensor = Normalizer.normalizeAndPad(op.apply(rgb), config.mean(), config.std(), config.padDivisor());
        return new View(tensor, plan.newHeight(), plan.newWidth(), plan.scaleW(), plan.scaleH(), flipped, op, out);
    }

    /** Copies an 8-bit BGR Mat into RGB bytes. */
    public static RgbImage toRgb(Mat bgr) {
        try (Mat rgb = new Mat()) {
            cvtColor(bgr, rgb, COLOR_BGR2RGB);
            byte[] data = new byte[rgb.rows() * rgb.cols() * 3];
            ((ByteBuffer) rgb.createBuffer()).get(data);
            return new RgbImage(rgb.rows(), rgb.cols(), data);
        }
    }
}
