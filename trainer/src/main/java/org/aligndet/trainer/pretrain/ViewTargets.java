package org.aligndet.trainer.pretrain;

import java.util.Arrays;

/**
 * The sampled priors of one view of a batch, ready for the projector and the losses.
 *
 * @param images     image index (in the batch) of each sampled prior
 * @param priors     prior index within its image
 * @param ids        instance id per sampled prior: {@code (image << 32) | proposalId} for positives,
 *                   {@link #BACKGROUND} for sampled background
 * @param positives  how many of the entries (the first ones) are positives
 * @param regression per positive, the regression target: encoded deltas (RetinaNet) or l,t,r,b
 *                   (FCOS, in stride units when the head normalises), {@code [positives*4]}
 * @param positivesPerImage sampled positives of each image of the batch
 */
public record ViewTargets(int[] images, int[] priors, long[] ids, int positives, float[] regression, int[] positivesPerImage) {
    public static final long BACKGROUND = -1;

    public int size() {
        return images.length;
    }

    /** Sampled background priors (the entries after the positives). */
    public int background() {
        return images.length - positives;
    }

    /** The first {@code positives} entries (positive priors only). */
    public int[] positiveImages() {
        return Arrays.copyOf(images, positives);
    }

    public int[] positivePriors() {
        return Arrays.copyOf(priors, positives);
    }

    public static long instanceId(int image, long proposalId) {
        if (proposalId < 0 || proposalId > 0xffffffffL) {
            throw new IllegalArgumentException("proposal id out of range: " + proposalId);
        }
        return ((long) image << 32) | proposalId;
    }
}
