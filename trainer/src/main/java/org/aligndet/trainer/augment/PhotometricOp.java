package org.aligndet.trainer.augment;

import java.util.SplittableRandom;

/**
 * The colour-space ops of AlignDet's RandAugment (one per view), each with a magnitude
 * {@code m} in {@code [0, 1]} mapped to its parameter as below (mmdetection's ranges):
 *
 * <ul>
 *   <li>{@code IDENTITY}, {@code AUTOCONTRAST}, {@code EQUALIZE}: no parameter;
 *   <li>{@code SOLARIZE}: threshold {@code round(256 (1 - m))}, so {@code m = 0} changes nothing;
 *   <li>{@code COLOR}, {@code CONTRAST}, {@code BRIGHTNESS}, {@code SHARPNESS}: enhancement factor
 *       {@code 0.1 + 1.8 m} in {@code [0.1, 1.9]} (1 is the identity);
 *   <li>{@code POSTERIZE}: keep {@code 8 - round(4 m)} bits, in {@code [4, 8]}.
 * </ul>
 * Pixel formulas: {@link PhotometricOps}.
 */
public enum PhotometricOp {
    IDENTITY, AUTOCONTRAST, EQUALIZE, SOLARIZE, COLOR, CONTRAST, BRIGHTNESS, SHARPNESS, POSTERIZE;

    public RgbImage apply(RgbImage img, double m) {
        if (m < 0 || m > 1) {
            throw new IllegalArgumentException(this + ": magnitude must be in [0, 1], got " + m);
        }
        return switch (this) {
            case IDENTITY -> img;
            case AUTOCONTRAST -> PhotometricOps.autocontrast(img);
            case EQUALIZE -> PhotometricOps.equalize(img);
            case SOLARIZE -> PhotometricOps.solarize(img, solarizeThreshold(m));
            case COLOR -> PhotometricOps.color(img, factor(m));
            case CONTRAST -> PhotometricOps.contrast(img, factor(m));
            case BRIGHTNESS -> PhotometricOps.brightness(img, factor(m));
            case SHARPNESS -> PhotometricOps.sharpness(img, factor(m));
            case POSTERIZE -> PhotometricOps.posterize(img, posterizeBits(m));
        };
    }

    public static int solarizeThreshold(double m) {
        return (int) Math.round(256 * (1 - m));
    }

    public static float factor(double m) {
        return (float) (0.1 + 1.8 * m);
    }

    public static int posterizeBits(double m) {
        return 8 - (int) Math.round(4 * m);
    }

    /** One op, uniform over all nine, and a magnitude uniform in {@code [0, 1)}, drawn in that order. */
    public static Choice draw(SplittableRandom rng) {
        PhotometricOp op = values()[rng.nextInt(values().length)];
        return new Choice(op, rng.nextDouble());
    }

    /** An op with its magnitude, as recorded per view. */
    public record Choice(PhotometricOp op, double magnitude) {
        public RgbImage apply(RgbImage img) {
            return op.apply(img, magnitude);
        }
    }
}
