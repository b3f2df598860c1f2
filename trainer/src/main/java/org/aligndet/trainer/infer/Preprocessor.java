package org.aligndet.trainer.infer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
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
 *
 * <p>{@link #prepare} makes both tensors (the cross-runtime check feeds one to each runtime);
 * {@link #prepareRaw} makes only the 0-255 one, which is all the ONNX template needs, at a fraction
 * of the cost. Both give the same {@code raw} values, bit for bit.
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
        return prepare(file, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /** As {@link #prepare(Path)}, refusing images above {@code maxPixels} ({@link ImageDecoder#readBgr(Path, long)}). */
    public Prepared prepare(Path file, long maxPixels) {
        try (Mat bgr = ImageDecoder.readBgr(file, maxPixels)) {
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

    /** As {@link #prepare(Path)}, {@link Prepared#raw()} only ({@code normalised} is null). */
    public Prepared prepareRaw(Path file) {
        try (Mat bgr = ImageDecoder.readBgr(file)) {
            return prepareRaw(file.getFileName().toString(), bgr);
        }
    }

    /**
     * As {@link #prepare(String, Mat)}, but only the raw tensor ({@code normalised} is null): planar
     * RGB 0-255 straight from the resized BGR bytes, padding the mean colour. No normalisation and
     * no colour conversion pass, which is what made {@code prepare} a sixth of an ONNX run.
     */
    public Prepared prepareRaw(String key, Mat bgr) {
        int w = bgr.cols();
        int h = bgr.rows();
        KeepRatioResize.Plan plan = KeepRatioResize.plan(w, h, longSide, shortSide);
        int rw, rh;
        byte[] d;
        try (Mat resized = KeepRatioResize.apply(bgr, plan)) {
            rw = resized.cols();
            rh = resized.rows();
            d = new byte[rw * rh * 3];
            ((ByteBuffer) resized.createBuffer()).get(d); // a fresh resize output is continuous
        }
        int ph = Normalizer.padTo(rh, divisor);
        int pw = Normalizer.padTo(rw, divisor);
        int plane = ph * pw;
        float[] raw = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            int src = 2 - c; // BGR bytes into R, G, B planes
            int base = c * plane;
            for (int y = 0; y < rh; y++) {
                int row = base + y * pw;
                int s = y * rw * 3 + src;
                for (int x = 0; x < rw; x++, s += 3) {
                    raw[row + x] = d[s] & 0xff;
                }
                Arrays.fill(raw, row + rw, row + pw, mean[c]);
            }
            Arrays.fill(raw, base + rh * pw, base + plane, mean[c]);
        }
        return new Prepared(key, w, h, rw, rh, pw, ph, plan.scaleW(), plan.scaleH(), raw, null);
    }
}
