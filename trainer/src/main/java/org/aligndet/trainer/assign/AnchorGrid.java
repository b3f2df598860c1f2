package org.aligndet.trainer.assign;

/**
 * Where a box can overlap a grid of anchors: per level, anchors at locations {@code (x, y)} of a
 * {@code rows x cols} grid ({@code A} per location, index {@code start + (y * cols + x) * A + a}) whose
 * centres are {@code c0 + (x, y) * stride} and whose half sizes are at most the level's largest. A box
 * can intersect such an anchor only if the anchor's centre lies within the box grown by those half
 * sizes; one more cell on each side absorbs the rounding of the anchors' float coordinates. The
 * geometry is read from the priors themselves and checked on every location ({@link #of} returns
 * null when the priors are not such a grid, and the caller scans them all).
 */
public final class AnchorGrid implements MaxIoUAssigner.Candidates {
    private final int[] start;
    private final int[] rows;
    private final int[] cols;
    private final int anchors;
    private final float[] stride;
    private final float[] cx0;
    private final float[] cy0;
    private final float[] halfW;
    private final float[] halfH;
    private final double[] minArea;
    private final double[] maxArea;

    private AnchorGrid(int levels, int anchors) {
        this.start = new int[levels];
        this.rows = new int[levels];
        this.cols = new int[levels];
        this.anchors = anchors;
        this.stride = new float[levels];
        this.cx0 = new float[levels];
        this.cy0 = new float[levels];
        this.halfW = new float[levels];
        this.halfH = new float[levels];
        this.minArea = new double[levels];
        this.maxArea = new double[levels];
    }

    /**
     * @param priors  the priors as assigned (xyxy, {@code float[P*4]}), level after level
     * @param rows    per level, grid rows present in {@code priors}
     * @param cols    per level, grid columns present
     * @param strides per level, the grid step in pixels
     * @return the grid, or null when a location's centre is off the grid by more than 1% of a step
     */
    public static AnchorGrid of(float[] priors, int[] rows, int[] cols, int anchors, int[] strides) {
        int levels = rows.length;
        AnchorGrid g = new AnchorGrid(levels, anchors);
        int at = 0;
        for (int l = 0; l < levels; l++) {
            g.start[l] = at;
            g.rows[l] = rows[l];
            g.cols[l] = cols[l];
            g.stride[l] = strides[l];
            int n = rows[l] * cols[l] * anchors;
            if (n == 0) {
                continue;
            }
            g.cx0[l] = (priors[4 * at] + priors[4 * at + 2]) / 2;
            g.cy0[l] = (priors[4 * at + 1] + priors[4 * at + 3]) / 2;
            float tol = 0.01f * strides[l];
            g.minArea[l] = Double.POSITIVE_INFINITY;
            for (int k = 0; k < n; k++) {
                int p = 4 * (at + k);
                int loc = k / anchors;
                float ex = g.cx0[l] + (loc % cols[l]) * strides[l];
                float ey = g.cy0[l] + (loc / cols[l]) * strides[l];
                if (Math.abs((priors[p] + priors[p + 2]) / 2 - ex) > tol || Math.abs((priors[p + 1] + priors[p + 3]) / 2 - ey) > tol) {
                    return null;
                }
                g.halfW[l] = Math.max(g.halfW[l], (priors[p + 2] - priors[p]) / 2);
                g.halfH[l] = Math.max(g.halfH[l], (priors[p + 3] - priors[p + 1]) / 2);
                double area = (double) (priors[p + 2] - priors[p]) * (priors[p + 3] - priors[p + 1]);
                g.minArea[l] = Math.min(g.minArea[l], area);
                g.maxArea[l] = Math.max(g.maxArea[l], area);
            }
            at += n;
        }
        return at == priors.length / 4 ? g : null;
    }

    @Override
    public void ranges(float x1, float y1, float x2, float y2, MaxIoUAssigner.RangeSink sink) {
        for (int l = 0; l < start.length; l++) {
            ranges(l, x1, y1, x2, y2, sink);
        }
    }

    /** The levels. */
    @Override
    public int groups() {
        return start.length;
    }

    @Override
    public void ranges(int l, float x1, float y1, float x2, float y2, MaxIoUAssigner.RangeSink sink) {
        if (rows[l] == 0 || cols[l] == 0) {
            return;
        }
        int xa = Math.max(0, (int) Math.floor((x1 - halfW[l] - cx0[l]) / stride[l]) - 1);
        int xb = Math.min(cols[l] - 1, (int) Math.ceil((x2 + halfW[l] - cx0[l]) / stride[l]) + 1);
        int ya = Math.max(0, (int) Math.floor((y1 - halfH[l] - cy0[l]) / stride[l]) - 1);
        int yb = Math.min(rows[l] - 1, (int) Math.ceil((y2 + halfH[l] - cy0[l]) / stride[l]) + 1);
        if (xa > xb || ya > yb) {
            return;
        }
        for (int y = ya; y <= yb; y++) {
            int row = start[l] + y * cols[l] * anchors;
            sink.range(row + xa * anchors, row + (xb + 1) * anchors);
        }
    }

    /** From the level's smallest and largest anchor areas: 1 when the box's area lies between them. */
    @Override
    public double iouBound(int l, double boxArea) {
        if (rows[l] == 0 || cols[l] == 0 || minArea[l] <= 0) {
            return 1;
        }
        if (boxArea < minArea[l]) {
            return boxArea / minArea[l];
        }
        return boxArea > maxArea[l] ? maxArea[l] / boxArea : 1;
    }
}
