package org.aligndet.trainer.assign;

import java.util.Arrays;

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
        return Arrays.stream(indices()).filter(i -> gtIndex[i] >= 0).toArray();
    }

    /** Indices of background priors, ascending. */
    public int[] negatives() {
        return Arrays.stream(indices()).filter(i -> gtIndex[i] == BACKGROUND).toArray();
    }

    private int[] indices() {
        int[] idx = new int[gtIndex.length];
        Arrays.setAll(idx, i -> i);
        return idx;
    }
}
