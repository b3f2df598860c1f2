package org.aligndet.trainer.loader;

/** Derives independent seeds from (seed, epoch, index) with SplitMix64's finaliser. */
final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    static long derive(long seed, long epoch, long index) {
        long h = mix(seed + GOLDEN);
        h = mix(h ^ (epoch + 1) * GOLDEN);
        return mix(h ^ (index + 2) * GOLDEN);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
