package org.aligndet.trainer.augment;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * mmdetection's {@code keep_ratio=True} resize: {@code s = min(long / max(h, w), short / min(h, w))},
 * new size {@code (int(w s + 0.5), int(h s + 0.5))}, bilinear. Boxes follow with the factors
 * actually applied after rounding, {@code scaleW = newW / w} and {@code scaleH = newH / h}.
 */
public final class KeepRatioResize {
    private KeepRatioResize() {
    }

    /** The size an image of {@code width x height} gets, and the per-axis factors. */
    public record Plan(int newWidth, int newHeight, float scaleW, float scaleH) {
    }

    public static Plan plan(int width, int height, int longSide, int shortSide) {
        double s = Math.min((double) longSide / Math.max(width, height), (double) shortSide / Math.min(width, height));
        int nw = Math.max(1, (int) (width * s + 0.5));
        int nh = Math.max(1, (int) (height * s + 0.5));
        return new Plan(nw, nh, (float) nw / width, (float) nh / height);
    }

    /** A new Mat of the planned size (the caller closes it). */
    public static Mat apply(Mat src, Plan plan) {
        Mat dst = new Mat();
        try (Size size = new Size(plan.newWidth(), plan.newHeight())) {
            resize(src, dst, size, 0, 0, INTER_LINEAR);
        }
        return dst;
    }
}
