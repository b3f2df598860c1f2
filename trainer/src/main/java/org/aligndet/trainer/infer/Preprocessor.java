package org.aligndet.trainer.infer;

import java.nio.file.Path;
import org.aligndet.trainer.augment.KeepRatioResize;
import org.aligndet.trainer.augment.Normalizer;
import org.aligndet.trainer.augment.RgbImage;
import org.aligndet.trainer.augment.ViewPipeline;
import org.aligndet.trainer.image.ImageDecoder;
import org.aligndet.trainer.spec.ModelSpec;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Test-time pre-processing, identical to the fine-tuning pipeline without flip: keep-ratio resize
 * to the spec's (long, short) scale, RGB, pad bottom/right to the divisor. Both the TorchScript and
 * the ONNX paths use it, so their inputs agree by construction.
 */
public final class Preprocessor {
    private final int longSide;
    private final int shortSide;
    private final float[] mean;
    private final float[] std;
    private final int divisor;

    public Preprocessor(int longSide, int shortSide, float[] mean, float[] std, int divisor) {
        this.longSide = longSide;
        this.shortSide = shortSide;
        this.mean = mean.clone();
        this.std = std.clone();
        this.divisor = divisor;
    }

    public static Preprocessor of(ModelSpec spec) {
        int[] s = spec.imgScale();
        return new Preprocessor(s[0], s[1], spec.mean(), spec.std(), spec.padDivisor());
    }

    /** Same policy at another scale (e.g. 512 or 800 px benchmarks). */
    public Preprocessor withScale(int newLong, int newShort) {
        return new Preprocessor(newLong, newShort, mean, std, divisor);
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    public int divisor() {
        return divisor;
    }

    public int[] scale() {
        return new int[] {longSide, shortSide};
    }

    /** Reads, decodes (errors name the file) and prepares an image. */
    public Prepared prepare(Path file) {
        try (Mat bgr = ImageDecoder.readBgr(file)) {
            return prepare(file.getFileName().toString(), bgr);
        }
    }

    public Prepared prepare(String key, Mat bgr) {
        int w = bgr.cols();
        int h = bgr.rows();
        KeepRatioResize.Plan plan = KeepRatioResize.plan(w, h, longSide, shortSide);
        RgbImage rgb;
        try (Mat resized = KeepRatioResize.apply(bgr, plan)) {
            rgb = ViewPipeline.toRgb(resized);
        }
        int ph = Normalizer.padTo(rgb.height(), divisor);
        int pw = Normalizer.padTo(rgb.width(), divisor);
        float[] normalised = Normalizer.normalizeAndPad(rgb, mean, std, divisor).data();
        float[] raw = new float[normalised.length];
        for (int c = 0; c < 3; c++) {
            int plane = c * ph * pw;
            for (int i = 0; i < ph * pw; i++) {
                raw[plane + i] = normalised[plane + i] * std[c] + mean[c];
            }
        }
        byte[] d = rgb.data();
        // exact 0-255 integers in the valid region (the line above would leave float rounding)
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < rgb.height(); y++) {
                for (int x = 0; x < rgb.width(); x++) {
                    raw[c * ph * pw + y * pw + x] = d[(y * rgb.width() + x) * 3 + c] & 0xff;
                }
            }
        }
        return new Prepared(key, w, h, rgb.width(), rgb.height(), pw, ph, plan.scaleW(), plan.scaleH(), raw, normalised);
    }
}
