package org.aligndet.trainer.assign;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The result of assigning priors (anchors, points, predicted boxes) to ground-truth boxes.
 *
 * @param gtIndex    per prior: the index of its ground-truth box ({@code >= 0}), {@link #BACKGROUND}
 *                   or {@link #IGNORED}
 * @param maxOverlap per prior: its best quality (IoU) over all gts; 0 when there are no gts
 */
public record Assignment(int[] gtIndex, float[] maxOverlap) {
    /** A negative: the prior should predict background. */
    public static final int BACKGROUND = -1;
    /** Neither positive nor negative: the prior takes no loss. */
    public static final int IGNORED = -2;

    public Assignment {
        if (gtIndex.length != maxOverlap.length) {
            throw new IllegalArgumentException("gtIndex and maxOverlap differ in length: "
                    + gtIndex.length + " vs " + maxOverlap.length);
        }
    }

    /** Every prior background, overlap 0: the assignment when there is no gt. */
    public static Assignment allBackground(int numPriors) {
        int[] g = new int[numPriors];
        Arrays.fill(g, BACKGROUND);
        return new Assignment(g, new float[numPriors]);
    }

    public int size() {
        return gtIndex.length;
    }

    /** Indices of priors assigned to a gt, ascending. */
    public int[] positives() {
        return positives(gtIndex);
    }

    /** {@link #positives()} of gt indices alone. */
    public static int[] positives(int[] gtIndex) {
        return where(gtIndex, g -> g >= 0);
    }

    /** Indices of background priors, ascending. */
    public int[] negatives() {
        return where(gtIndex, g -> g == BACKGROUND);
    }

    private static int[] where(int[] gtIndex, IntPredicate test) {
        int n = 0;
        for (int g : gtIndex) {
            n += test.test(g) ? 1 : 0;
        }
        int[] out = new int[n];
        for (int i = 0, k = 0; k < n; i++) {
            if (test.test(gtIndex[i])) {
                out[k++] = i;
            }
        }
        return out;
    }
}
