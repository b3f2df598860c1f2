package org.aligndet.trainer.assign;

import org.aligndet.trainer.box.Boxes;

/**
 * Assigns each prior to the gt it overlaps most, with mmdetection's {@code MaxIoUAssigner} (v2)
 * semantics, applied in this order to an IoU matrix {@code [G, N]}:
 * <ol>
 *   <li>every prior starts {@link Assignment#IGNORED};</li>
 *   <li>{@code 0 <= maxIoU < negIou} → {@link Assignment#BACKGROUND};</li>
 *   <li>{@code maxIoU >= posIou} → its argmax gt (ties: the first gt);</li>
 *   <li>low-quality matches, when on: for each gt {@code i = 0..G-1} in turn whose best IoU is
 *       {@code >= minPosIou}, the priors reaching that best IoU (all of them with
 *       {@code gtMaxAssignAll}, else only the first) are assigned to {@code i}, overwriting earlier
 *       assignments, so on ties the last gt wins. As in mmdetection, a gt that overlaps no prior at all
 *       with {@code minPosIou = 0} claims every prior of IoU 0.</li>
 * </ol>
 * No gts: all background. No priors: an empty assignment.
 */
public final class MaxIoUAssigner {
    private final float posIou;
    private final float negIou;
    private final float minPosIou;
    private final boolean gtMaxAssignAll;
    private final boolean matchLowQuality;

    public MaxIoUAssigner(float posIou, float negIou, float minPosIou, boolean gtMaxAssignAll, boolean matchLowQuality) {
        if (negIou > posIou) {
            throw new IllegalArgumentException("negIou " + negIou + " above posIou " + posIou);
        }
        this.posIou = posIou;
        this.negIou = negIou;
        this.minPosIou = minPosIou;
        this.gtMaxAssignAll = gtMaxAssignAll;
        this.matchLowQuality = matchLowQuality;
    }

    /** RetinaNet's: positive >= 0.5, negative < 0.4, min positive IoU 0, all maxima, low-quality matches on. */
    public static MaxIoUAssigner retinaNet() {
        return new MaxIoUAssigner(0.5f, 0.4f, 0.0f, true, true);
    }

    /** @param priors N*4 xyxy; @param gts G*4 xyxy */
    public Assignment assign(float[] priors, float[] gts) {
        int n = Boxes.count(priors, "priors");
        int g = Boxes.count(gts, "gts");
        if (g == 0 || n == 0) {
            return Assignment.allBackground(n);
        }
        float[] iou = Boxes.iou(gts, priors); // [g, n]
        // best gt per prior, walking the matrix row by row (contiguous); a strict > keeps the first gt on ties
        int[] best = new int[n];
        float[] maxOverlap = java.util.Arrays.copyOf(iou, n);
        for (int i = 1; i < g; i++) {
            int row = i * n;
            for (int j = 0; j < n; j++) {
                float v = iou[row + j];
                if (v > maxOverlap[j]) {
                    maxOverlap[j] = v;
                    best[j] = i;
                }
            }
        }
        int[] gtIndex = new int[n];
        for (int j = 0; j < n; j++) {
            float m = maxOverlap[j];
            gtIndex[j] = m >= posIou ? best[j] : (m >= 0 && m < negIou ? Assignment.BACKGROUND : Assignment.IGNORED);
        }
        if (matchLowQuality) {
            for (int i = 0; i < g; i++) {
                int first = 0;
                for (int j = 1; j < n; j++) {
                    if (iou[i * n + j] > iou[i * n + first]) {
                        first = j;
                    }
                }
                float gtMax = iou[i * n + first];
                if (gtMax < minPosIou) {
                    continue;
                }
                if (!gtMaxAssignAll) {
                    gtIndex[first] = i;
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    if (iou[i * n + j] == gtMax) {
                        gtIndex[j] = i;
                    }
                }
            }
        }
        return new Assignment(gtIndex, maxOverlap);
    }
}
