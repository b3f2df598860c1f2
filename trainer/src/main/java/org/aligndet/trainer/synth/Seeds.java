package org.aligndet.trainer.synth;

import java.util.SplittableRandom;

/**
 * Independent random streams derived from one seed: stream {@code s}, item {@code i} gets its own
 * generator, so what an image looks like depends on the seed and its index only, never on thread
 * scheduling or on how many images come before it.
 */
final class Seeds {
    static final int SCENES = 1;
    static final int CROPS = 2;

    private Seeds() {
    }

    static SplittableRandom stream(long seed, int stream, long index) {
        long z = mix(seed ^ mix(stream * 0x9E3779B97F4A7C15L + index));
        return new SplittableRandom(z);
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
