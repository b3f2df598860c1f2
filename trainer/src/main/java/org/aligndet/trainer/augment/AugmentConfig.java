package org.aligndet.trainer.augment;

import java.util.List;

/**
 * Settings of one view's pipeline: keep-ratio resize to {@code (longSide, shortSide)} with the
 * short side drawn uniformly from {@code shortSides}, horizontal flip with {@code flipProb}, one
 * photometric op when {@code photometric}, normalisation by RGB {@code mean} and {@code std}
 * (0-255 units), zero padding (after normalisation) to a multiple of {@code padDivisor}, and
 * boxes whose clipped width or height is not above {@code minBoxSide} dropped.
 */
public record AugmentConfig(int longSide, List<Integer> shortSides, double flipProb, boolean photometric,
                            float[] mean, float[] std, int padDivisor, float minBoxSide) {

    /** mmdetection's ImageNet statistics, RGB, 0-255. */
    public static final float[] IMAGENET_MEAN = {123.675f, 116.28f, 103.53f};
    public static final float[] IMAGENET_STD = {58.395f, 57.12f, 57.375f};
    /** AlignDet's multi-scale short sides, 640 to 800 by 32. */
    public static final List<Integer> PAPER_SHORT_SIDES = List.of(640, 672, 704, 736, 768, 800);

    public AugmentConfig {
        shortSides = List.copyOf(shortSides);
        if (longSide <= 0 || shortSides.isEmpty() || shortSides.stream().anyMatch(s -> s <= 0)) {
            throw new IllegalArgumentException("scale must be positive: long " + longSide + ", short " + shortSides);
        }
        if (mean.length != 3 || std.length != 3 || padDivisor <= 0 || flipProb < 0 || flipProb > 1) {
            throw new IllegalArgumentException("need 3 means, 3 stds, padDivisor > 0, flipProb in [0, 1]");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** AlignDet pre-training views: (1333, 640..800), flip 0.5, one photometric op, pad 32. */
    public static AugmentConfig alignDetPretrain() {
        return new AugmentConfig(1333, PAPER_SHORT_SIDES, 0.5, true, IMAGENET_MEAN, IMAGENET_STD, 32, 0f);
    }

    /** The fine-tuning pipeline: as pre-training without the photometric op. */
    public static AugmentConfig finetune() {
        return alignDetPretrain().withPhotometric(false);
    }

    public AugmentConfig withScale(int newLongSide, List<Integer> newShortSides) {
        return new AugmentConfig(newLongSide, newShortSides, flipProb, photometric, mean, std, padDivisor, minBoxSide);
    }

    public AugmentConfig withPhotometric(boolean on) {
        return new AugmentConfig(longSide, shortSides, flipProb, on, mean, std, padDivisor, minBoxSide);
    }

    public AugmentConfig withFlipProb(double p) {
        return new AugmentConfig(longSide, shortSides, p, photometric, mean, std, padDivisor, minBoxSide);
    }
}
