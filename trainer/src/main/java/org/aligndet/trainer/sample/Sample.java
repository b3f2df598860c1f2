package org.aligndet.trainer.sample;

/**
 * The priors a sampler chose, as indices into the assignment, each array ascending.
 *
 * @param positives sampled priors assigned to a gt
 * @param negatives sampled background priors
 */
public record Sample(int[] positives, int[] negatives) {
    public int size() {
        return positives.length + negatives.length;
    }

    /** Positives then negatives, in one array: the order the losses see the sampled boxes in. */
    public int[] all() {
        int[] out = new int[size()];
        System.arraycopy(positives, 0, out, 0, positives.length);
        System.arraycopy(negatives, 0, out, positives.length, negatives.length);
        return out;
    }
}
