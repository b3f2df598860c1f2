package org.aligndet.trainer.assign;

import java.util.Arrays;
import org.aligndet.trainer.box.Boxes;

/**
 * Assigns points to gts as mmdetection's v2 {@code FCOSHead._get_target_single} does. A point is a
 * candidate for a gt when
 * <ul>
 *   <li>it lies strictly inside the gt, or, with centre sampling, strictly inside the gt's centre region
 *       (the square of half-side {@code radius * stride} around the gt's centre, clipped to the gt), and</li>
 *   <li>its largest distance to the gt's sides lies in its level's regress range {@code [lo, hi]}
 *       (both ends included).</li>
 * </ul>
 * Among candidates the gt with the smallest area wins (ties: the first such gt). Points with no
 * candidate are {@link FcosTargets#BACKGROUND}. No gts: all background.
 */
public final class FcosAssigner {
    /** Upper end of the last regress range in mmdetection ("infinity"). */
    public static final float INF = 1e8f;

    private final int[] strides;
    private final float[][] regressRanges;
    private final boolean centerSampling;
    private final float radius;
    private final boolean normOnBbox;

    /**
     * @param strides       one per level
     * @param regressRanges one {@code {lo, hi}} per level, FCOS: (-1, 64), (64, 128), (128, 256), (256, 512), (512, INF)
     * @param centerSampling sample only the centre region of each gt
     * @param radius        centre region half-side in strides (FCOS: 1.5)
     * @param normOnBbox    divide the targets by the level's stride
     */
    public FcosAssigner(int[] strides, float[][] regressRanges, boolean centerSampling, float radius, boolean normOnBbox) {
        if (strides.length != regressRanges.length) {
            throw new IllegalArgumentException(strides.length + " strides but " + regressRanges.length + " regress ranges");
        }
        for (int l = 0; l < regressRanges.length; l++) {
            if (regressRanges[l].length != 2) {
                throw new IllegalArgumentException("regress range of level " + l + " needs {lo, hi}");
            }
        }
        this.strides = strides.clone();
        this.regressRanges = Arrays.stream(regressRanges).map(float[]::clone).toArray(float[][]::new);
        this.centerSampling = centerSampling;
        this.radius = radius;
        this.normOnBbox = normOnBbox;
    }

    /** FCOS's five levels (strides 8..128, ranges up to {@link #INF}), centre sampling 1.5, normalised targets. */
    public static FcosAssigner fcos() {
        return new FcosAssigner(new int[] {8, 16, 32, 64, 128},
                new float[][] {{-1, 64}, {64, 128}, {128, 256}, {256, 512}, {512, INF}}, true, 1.5f, true);
    }

    /**
     * @param pointsPerLevel per level, {@code float[n_l*2]} of {@code (x, y)}
     * @param gts            G*4 xyxy
     * @return targets over the concatenation of all levels' points
     */
    public FcosTargets assign(float[][] pointsPerLevel, float[] gts) {
        if (pointsPerLevel.length != strides.length) {
            throw new IllegalArgumentException(pointsPerLevel.length + " point levels but " + strides.length + " strides");
        }
        int g = Boxes.count(gts, "gts");
        float[] area = Boxes.area(gts);
        int total = Arrays.stream(pointsPerLevel).mapToInt(p -> p.length / 2).sum();
        int[] gtIndex = new int[total];
        float[] targets = new float[total * 4];
        int k = 0;
        for (int l = 0; l < pointsPerLevel.length; l++) {
            float[] pts = pointsPerLevel[l];
            if (pts.length % 2 != 0) {
                throw new IllegalArgumentException("points of level " + l + ": expected n*2 floats, got " + pts.length);
            }
            for (int p = 0; p < pts.length / 2; p++, k++) {
                int best = bestGt(pts[2 * p], pts[2 * p + 1], l, gts, g, area);
                gtIndex[k] = best;
                if (best != FcosTargets.BACKGROUND) {
                    float norm = normOnBbox ? strides[l] : 1f;
                    targets[4 * k] = (pts[2 * p] - gts[4 * best]) / norm;
                    targets[4 * k + 1] = (pts[2 * p + 1] - gts[4 * best + 1]) / norm;
                    targets[4 * k + 2] = (gts[4 * best + 2] - pts[2 * p]) / norm;
                    targets[4 * k + 3] = (gts[4 * best + 3] - pts[2 * p + 1]) / norm;
                }
            }
        }
        return new FcosTargets(gtIndex, targets);
    }

    /** The smallest-area gt (first on ties) that accepts the point, or BACKGROUND. */
    private int bestGt(float x, float y, int level, float[] gts, int g, float[] area) {
        int best = FcosTargets.BACKGROUND;
        for (int i = 0; i < g; i++) {
            float x1 = gts[4 * i], y1 = gts[4 * i + 1], x2 = gts[4 * i + 2], y2 = gts[4 * i + 3];
            float l = x - x1, t = y - y1, r = x2 - x, b = y2 - y;
            float maxDist = Math.max(Math.max(l, t), Math.max(r, b));
            if (maxDist < regressRanges[level][0] || maxDist > regressRanges[level][1]) {
                continue;
            }
            boolean inside;
            if (centerSampling) {
                float cx = (x1 + x2) / 2, cy = (y1 + y2) / 2, s = strides[level] * radius;
                float cx1 = Math.max(cx - s, x1), cy1 = Math.max(cy - s, y1);
                float cx2 = Math.min(cx + s, x2), cy2 = Math.min(cy + s, y2);
                inside = Math.min(Math.min(x - cx1, y - cy1), Math.min(cx2 - x, cy2 - y)) > 0;
            } else {
                inside = Math.min(Math.min(l, t), Math.min(r, b)) > 0;
            }
            if (inside && (best == FcosTargets.BACKGROUND || area[i] < area[best])) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Centre-ness of targets {@code (l, t, r, b)} ({@code float[N*4]}, positives only):
     * {@code sqrt(min(l, r) / max(l, r) * min(t, b) / max(t, b))} → {@code float[N]}.
     */
    public static float[] centerness(float[] bboxTargets) {
        int n = Boxes.count(bboxTargets, "bboxTargets");
        float[] c = new float[n];
        for (int i = 0; i < n; i++) {
            float l = bboxTargets[4 * i], t = bboxTargets[4 * i + 1], r = bboxTargets[4 * i + 2], b = bboxTargets[4 * i + 3];
            c[i] = (float) Math.sqrt((Math.min(l, r) / Math.max(l, r)) * (Math.min(t, b) / Math.max(t, b)));
        }
        return c;
    }
}
