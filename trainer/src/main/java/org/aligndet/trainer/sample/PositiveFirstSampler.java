package org.aligndet.trainer.sample;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.aligndet.trainer.assign.Assignment;

/**
 * Samples up to {@code num} priors, positives first, with mmdetection's {@code RandomSampler} semantics
 * ({@code add_gt_as_proposals = false}, {@code neg_pos_ub = -1}):
 * <ul>
 *   <li>positives: all of them if there are at most {@code floor(num * posFraction)}, else a uniform
 *       random subset of that size;</li>
 *   <li>negatives ({@link Assignment#BACKGROUND} only; ignored priors are never sampled): all of them if
 *       there are at most {@code num - #sampledPositives}, else a uniform random subset of that size.</li>
 * </ul>
 * The randomness comes from the generator passed in, so a seeded generator gives the same sample;
 * the draws differ from torch's {@code randperm}, so the subsets differ from mmdetection's for the same
 * seed (only their distribution is the same). Returned indices are ascending.
 *
 * <p>{@link #withNegPosUpperBound} adds mmdetection's {@code neg_pos_ub >= 0}: at most
 * {@code floor(ub * max(1, #sampledPositives))} negatives ({@code 0}: none, AlignDet's two-stage
 * pre-training).
 */
public final class PositiveFirstSampler {
    private final int num;
    private final double posFraction;
    private final double negPosUb;

    /** @param num the most priors per image; @param posFraction the largest share of positives, in [0, 1] */
    public PositiveFirstSampler(int num, double posFraction) {
        this(num, posFraction, -1);
    }

    private PositiveFirstSampler(int num, double posFraction, double negPosUb) {
        if (num < 0 || posFraction < 0 || posFraction > 1) {
            throw new IllegalArgumentException("num " + num + " must be >= 0 and posFraction " + posFraction + " in [0, 1]");
        }
        this.num = num;
        this.posFraction = posFraction;
        this.negPosUb = negPosUb;
    }

    /** This sampler with mmdetection's {@code neg_pos_ub} ({@code < 0}: no bound). */
    public PositiveFirstSampler withNegPosUpperBound(double ub) {
        return new PositiveFirstSampler(num, posFraction, ub);
    }

    /** This sampler without negatives ({@code neg_pos_ub = 0}). */
    public PositiveFirstSampler withoutNegatives() {
        return withNegPosUpperBound(0);
    }

    public Sample sample(Assignment a, SplittableRandom rng) {
        return sample(a.gtIndex(), rng);
    }

    /**
     * {@link #sample(Assignment, SplittableRandom)} from the gt indices alone ({@link Assignment#gtIndex()}):
     * the same sample for the same generator state.
     */
    public Sample sample(int[] gtIndex, SplittableRandom rng) {
        int[] pos = choose(Assignment.positives(gtIndex), (int) (num * posFraction), rng);
        int negs = num - pos.length;
        if (negPosUb >= 0) {
            negs = Math.min(negs, (int) (negPosUb * Math.max(1, pos.length)));
        }
        return new Sample(pos, chooseNegatives(gtIndex, negs, rng));
    }

    /**
     * {@link #choose} over the background priors without listing them: at R50 they are about 160k
     * per image, and pre-training samples four image-views a step. The partial Fisher–Yates runs on
     * their ranks, keeping only the positions its swaps moved; the {@code k} ranks drawn, sorted, are
     * then found in one scan. Same draws from {@code rng}, same result as {@code choose(negatives, k, rng)}.
     */
    static int[] chooseNegatives(int[] gtIndex, int k, SplittableRandom rng) {
        int m = 0;
        for (int g : gtIndex) {
            m += g == Assignment.BACKGROUND ? 1 : 0;
        }
        int[] ranks;
        if (m <= k) {
            ranks = null; // all of them
            k = m;
        } else {
            ranks = new int[k];
            java.util.Map<Integer, Integer> moved = new java.util.HashMap<>(2 * k);
            for (int i = 0; i < k; i++) {
                int j = i + rng.nextInt(m - i);
                int atI = moved.getOrDefault(i, i);
                ranks[i] = moved.getOrDefault(j, j);
                moved.put(j, atI); // position i is never read again: later draws start above it
            }
            Arrays.sort(ranks);
        }
        int[] out = new int[k];
        for (int p = 0, seen = 0, r = 0; r < k; p++) {
            if (gtIndex[p] == Assignment.BACKGROUND) {
                if (ranks == null || ranks[r] == seen) {
                    out[r++] = p;
                }
                seen++;
            }
        }
        return out;
    }

    /** {@code k} distinct members of {@code gallery} (partial Fisher–Yates), ascending; all when it has at most k. */
    static int[] choose(int[] gallery, int k, SplittableRandom rng) {
        if (gallery.length <= k) {
            return gallery;
        }
        int[] g = gallery.clone();
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(g.length - i);
            int t = g[i];
            g[i] = g[j];
            g[j] = t;
        }
        int[] out = Arrays.copyOf(g, k);
        Arrays.sort(out);
        return out;
    }
}
