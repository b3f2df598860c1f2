package org.aligndet.trainer.assign;

/**
 * FCOS regression targets over the points of all levels, concatenated level by level.
 *
 * @param gtIndex     per point: its gt ({@code >= 0}) or {@link #BACKGROUND}
 * @param bboxTargets per point, {@code float[N*4]}: distances {@code (l, t, r, b)} from the point to its
 *                    gt's sides, divided by the level's stride when the assigner normalises; all zero
 *                    for background points
 */
public record FcosTargets(int[] gtIndex, float[] bboxTargets) {
    public static final int BACKGROUND = Assignment.BACKGROUND;

    public FcosTargets {
        if (bboxTargets.length != 4 * gtIndex.length) {
            throw new IllegalArgumentException("bboxTargets must hold 4 values per point: "
                    + bboxTargets.length + " for " + gtIndex.length + " points");
        }
    }

    public int size() {
        return gtIndex.length;
    }

    /** Indices of points assigned to a gt, ascending. */
    public int[] positives() {
        return java.util.stream.IntStream.range(0, gtIndex.length).filter(i -> gtIndex[i] >= 0).toArray();
    }

    /** The {@code (l, t, r, b)} targets of the given points, {@code float[k*4]}. */
    public float[] targetsOf(int[] points) {
        float[] out = new float[points.length * 4];
        for (int k = 0; k < points.length; k++) {
            System.arraycopy(bboxTargets, 4 * points[k], out, 4 * k, 4);
        }
        return out;
    }
}
