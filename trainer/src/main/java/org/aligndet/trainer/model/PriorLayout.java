package org.aligndet.trainer.model;

/**
 * Where each prior (anchor or point) of a batch lives in the head's outputs.
 *
 * <p>Priors of one image are numbered level by level, finest first; within a level row-major by
 * location {@code (y, x)}, then by anchor slot {@code a < A} (mmdetection's flattening). Head
 * outputs flattened for selection are level-major: level {@code l} contributes
 * {@code N * H_l * W_l} feature rows (image-major), or {@code N * H_l * W_l * A} box rows.
 */
public final class PriorLayout {
    private final int batch;
    private final int anchors;
    private final int[] heights;
    private final int[] widths;
    private final int[] priorOffset;   // per level, within one image
    private final long[] featureOffset; // per level, rows of the flattened [sum N*H*W, C] matrix
    private final long[] boxOffset;     // per level, rows of the flattened [sum N*H*W*A, k] matrix

    /**
     * @param batch   images N
     * @param anchors priors per location A (1 for point-based heads)
     * @param heights feature height per level
     * @param widths  feature width per level
     */
    public PriorLayout(int batch, int anchors, int[] heights, int[] widths) {
        if (heights.length != widths.length || batch <= 0 || anchors <= 0) {
            throw new IllegalArgumentException("bad layout: batch " + batch + ", anchors " + anchors);
        }
        this.batch = batch;
        this.anchors = anchors;
        this.heights = heights.clone();
        this.widths = widths.clone();
        int levels = heights.length;
        priorOffset = new int[levels + 1];
        featureOffset = new long[levels + 1];
        boxOffset = new long[levels + 1];
        for (int l = 0; l < levels; l++) {
            long hw = (long) heights[l] * widths[l];
            priorOffset[l + 1] = Math.toIntExact(priorOffset[l] + hw * anchors);
            featureOffset[l + 1] = featureOffset[l] + batch * hw;
            boxOffset[l + 1] = boxOffset[l] + batch * hw * anchors;
        }
    }

    public int batch() {
        return batch;
    }

    public int anchors() {
        return anchors;
    }

    public int levels() {
        return heights.length;
    }

    public int height(int level) {
        return heights[level];
    }

    public int width(int level) {
        return widths[level];
    }

    /** Priors of one image over all levels. */
    public int priorsPerImage() {
        return priorOffset[heights.length];
    }

    /** First prior index of a level within an image. */
    public int levelStart(int level) {
        return priorOffset[level];
    }

    public int levelOf(int prior) {
        if (prior < 0 || prior >= priorsPerImage()) {
            throw new IndexOutOfBoundsException("prior " + prior + " of " + priorsPerImage());
        }
        int l = 0;
        while (prior >= priorOffset[l + 1]) {
            l++;
        }
        return l;
    }

    /** Row of the level-major flattened feature matrix holding this prior's location. */
    public long featureRow(int image, int prior) {
        int l = levelOf(prior);
        long hw = (long) heights[l] * widths[l];
        int loc = (prior - priorOffset[l]) / anchors;
        return featureOffset[l] + image * hw + loc;
    }

    /** Row of the level-major flattened box-output matrix ({@code [.., 4]}) holding this prior. */
    public long boxRow(int image, int prior) {
        int l = levelOf(prior);
        long hw = (long) heights[l] * widths[l];
        int local = prior - priorOffset[l];
        return boxOffset[l] + image * hw * anchors + local;
    }

    /** Anchor slot {@code a < A} of a prior. */
    public int anchorSlot(int prior) {
        return (prior - priorOffset[levelOf(prior)]) % anchors;
    }
}
