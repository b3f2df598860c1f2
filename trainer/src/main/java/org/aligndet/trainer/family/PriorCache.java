package org.aligndet.trainer.family;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.aligndet.trainer.model.PriorLayout;

/** Per-level priors by feature size, computed once (batches repeat sizes); safe to share between threads. */
final class PriorCache {
    /** Computes one level's priors for an {@code h x w} map. */
    @FunctionalInterface
    interface LevelPriors {
        float[] at(int level, int h, int w);
    }

    private final LevelPriors source;
    private final Map<Long, float[]> cache = new ConcurrentHashMap<>();

    PriorCache(LevelPriors source) {
        this.source = source;
    }

    float[] level(int level, int h, int w) {
        long key = ((long) level << 40) | ((long) h << 20) | w;
        return cache.computeIfAbsent(key, k -> source.at(level, h, w));
    }

    float[][] perLevel(PriorLayout layout) {
        IntFunction<float[]> at = l -> level(l, layout.height(l), layout.width(l));
        float[][] out = new float[layout.levels()][];
        for (int l = 0; l < out.length; l++) {
            out[l] = at.apply(l);
        }
        return out;
    }

    /** All levels concatenated in prior order, {@code [P*k]}. */
    float[] concatenated(PriorLayout layout) {
        return org.aligndet.trainer.box.Boxes.concat(java.util.List.of(perLevel(layout)));
    }
}
