package org.aligndet.trainer.finetune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.data.ImageRecord;

/**
 * The paper's low-data protocol: fine-tune on 1%, 5%, 10% or 20% of the training images, five
 * folds each, and report the mean over folds.
 *
 * <p>Choice: the images are sorted by id (so the file's order does not matter), shuffled by a
 * Fisher-Yates permutation drawn from a generator seeded by (seed, fraction), and fold {@code K}
 * takes positions {@code [(K-1) n, K n)} of that permutation, with {@code n = max(1, round(fraction
 * x N))}. The five folds are therefore disjoint whenever {@code 5 n <= N} (every fraction up to 20%);
 * for larger fractions, a fold whose slice would run past the end draws its own permutation from
 * (seed, fraction, fold) and takes its first {@code n} images instead (folds then overlap). The
 * choice depends only on (image ids, seed, fraction, fold): not on threads, order or time.
 */
public final class LowDataSubset {
    public static final int FOLDS = 5;
    /** The fractions the paper reports. */
    public static final List<Double> PAPER_FRACTIONS = List.of(0.01, 0.05, 0.1, 0.2);

    private LowDataSubset() {
    }

    /** The images of fold {@code fold} (1..5) at {@code fraction} in (0, 1]; all of them for fraction 1. */
    public static List<ImageRecord> select(List<ImageRecord> images, double fraction, int fold, long seed) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("--fraction must be in (0, 1], got " + fraction);
        }
        if (fold < 1 || fold > FOLDS) {
            throw new IllegalArgumentException("--fold must be in 1.." + FOLDS + ", got " + fold);
        }
        List<ImageRecord> sorted = new ArrayList<>(images);
        sorted.sort(Comparator.comparingLong(ImageRecord::id).thenComparing(ImageRecord::key));
        if (fraction == 1 || sorted.isEmpty()) {
            return sorted;
        }
        int total = sorted.size();
        int n = Math.max(1, (int) Math.round(fraction * total));
        long fractionKey = Math.round(fraction * 1_000_000);
        int[] perm;
        int from = (fold - 1) * n;
        if (from + n <= total) {
            perm = permutation(total, mix(seed, fractionKey, 0));
        } else {
            perm = permutation(total, mix(seed, fractionKey, fold));
            from = 0;
        }
        List<ImageRecord> out = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            out.add(sorted.get(perm[i]));
        }
        out.sort(Comparator.comparingLong(ImageRecord::id).thenComparing(ImageRecord::key));
        return out;
    }

    /** Whether the five folds at this fraction and size are disjoint. */
    public static boolean foldsDisjoint(int images, double fraction) {
        int n = Math.max(1, (int) Math.round(fraction * images));
        return fraction == 1 ? false : FOLDS * n <= images;
    }

    private static int[] permutation(int n, long seed) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    private static long mix(long seed, long fractionKey, long fold) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h = (h ^ (h >>> 31)) + fractionKey * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 29)) + fold * 0x94D049BB133111EBL;
        return h ^ (h >>> 32);
    }
}
