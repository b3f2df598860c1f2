package org.aligndet.trainer.family;

import java.util.Arrays;
import org.aligndet.trainer.assign.Assignment;

/**
 * One image's priors assigned to its boxes by the family's own rule.
 *
 * @param gtIndex   per prior of the image: its box ({@code >= 0}), {@link Assignment#BACKGROUND} or
 *                  {@link Assignment#IGNORED} (no loss: RetinaNet's IoU in [0.4, 0.5), priors outside
 *                  the image's padded extent)
 * @param positives the priors assigned to a box, ascending
 * @param targets   their regression targets, {@code float[positives * 4]}: encoded deltas (anchor-based)
 *                  or distances {@code (l, t, r, b)} (point-based, in strides when the head normalises)
 */
public record ImageTargets(int[] gtIndex, int[] positives, float[] targets) {
    public ImageTargets {
        if (targets.length != 4 * positives.length) {
            throw new IllegalArgumentException(targets.length + " target values for " + positives.length + " positives");
        }
    }

    /** The assignment view of {@link #gtIndex} (for samplers). */
    public Assignment assignment() {
        return new Assignment(gtIndex, new float[gtIndex.length]);
    }

    /** Writes the regression target of positive prior {@code prior} into {@code dst[offset .. offset + 4)}. */
    public void copyTargetOf(int prior, float[] dst, int offset) {
        int k = Arrays.binarySearch(positives, prior);
        if (k < 0) {
            throw new IllegalArgumentException("prior " + prior + " is not a positive");
        }
        System.arraycopy(targets, 4 * k, dst, offset, 4);
    }
}
