package org.aligndet.trainer.synth;

import java.nio.file.Path;

/**
 * What the synthetic benchmark generator writes.
 *
 * @param out         output directory (created if absent)
 * @param images      number of scene images, train and val together, at least 1
 * @param seed        the seed: equal configs give byte-identical trees, whatever {@code threads} is
 * @param valFraction fraction of images in the val split, {@code [0, 1]}; the last
 *                    {@code round(images * valFraction)} images are val
 * @param size        nominal image side in pixels: each image's width and height are drawn in
 *                    {@code [0.875, 1.25] x size}, rounded to a multiple of 8 (224-320 for 256)
 * @param crops       number of object-centric crops ({@code crops/<class>/}), 0 for none
 * @param cropSize    side of each square crop in pixels
 * @param threads     worker threads (output does not depend on it)
 * @param progress    show a progress bar on stderr
 * @param overwrite   replace the generator's own folders if {@code out} already holds them
 */
public record SynthConfig(Path out, int images, long seed, double valFraction, int size, int crops, int cropSize,
                          int threads, boolean progress, boolean overwrite) {
    public static final double DEFAULT_VAL_FRACTION = 0.2;
    public static final int DEFAULT_SIZE = 256;
    public static final int DEFAULT_CROP_SIZE = 96;
    public static final int MIN_SIZE = 64;
    public static final int MAX_SIZE = 4096;
    public static final int MIN_CROP_SIZE = 32;
    public static final int MAX_CROP_SIZE = 1024;

    public SynthConfig {
        if (images < 1) {
            throw new IllegalArgumentException("images must be at least 1, got " + images);
        }
        if (!(valFraction >= 0 && valFraction <= 1)) {
            throw new IllegalArgumentException("val fraction must be in [0, 1], got " + valFraction);
        }
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be in [" + MIN_SIZE + ", " + MAX_SIZE + "], got " + size);
        }
        if (crops < 0 || cropSize < MIN_CROP_SIZE || cropSize > MAX_CROP_SIZE) {
            throw new IllegalArgumentException("crops must be >= 0 and crop size in [32, 1024], got " + crops + ", "
                    + cropSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /** Defaults for everything but the essentials: 20% val, side 256, no crops, all cores, no progress bar. */
    public static SynthConfig of(Path out, int images, long seed) {
        return new SynthConfig(out, images, seed, DEFAULT_VAL_FRACTION, DEFAULT_SIZE, 0, DEFAULT_CROP_SIZE,
                Runtime.getRuntime().availableProcessors(), false, false);
    }

    public SynthConfig withCrops(int n) {
        return new SynthConfig(out, images, seed, valFraction, size, n, cropSize, threads, progress, overwrite);
    }

    public SynthConfig withThreads(int n) {
        return new SynthConfig(out, images, seed, valFraction, size, crops, cropSize, n, progress, overwrite);
    }

    public int valImages() {
        return (int) Math.round(images * valFraction);
    }

    public int trainImages() {
        return images - valImages();
    }
}
