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
        // the IoU matrix [g, n] is streamed row by row (one gt at a time) and never held whole: at R50
        // scale it is 160k anchors x the proposals, tens of MB per image and view. Each gt's best IoU and
        // the priors reaching it are kept as the row goes, for the low-quality matches.
        Boxes.Columns cols = Boxes.Columns.of(priors);
        float[] row = new float[n];
        int[] best = new int[n];
        float[] maxOverlap = new float[n];
        float[] gtMax = new float[g];
        int[][] gtArgmax = new int[g][];
        int[] ties = new int[16];
        for (int i = 0; i < g; i++) {
            Boxes.iouRow(gts, i, cols, row);
            if (i == 0) {
                System.arraycopy(row, 0, maxOverlap, 0, n);
            } else {
                for (int j = 0; j < n; j++) {
                    if (row[j] > maxOverlap[j]) { // strict: the first gt keeps ties
                        maxOverlap[j] = row[j];
                        best[j] = i;
                    }
                }
            }
            float rowMax = row[0];
            int t = 0;
            for (int j = 0; j < n; j++) {
                float v = row[j];
                if (v > rowMax) {
                    rowMax = v;
                    t = 0;
                }
                if (v == rowMax) {
                    if (t == ties.length) {
                        ties = java.util.Arrays.copyOf(ties, 2 * t);
                    }
                    ties[t++] = j;
                }
            }
            gtMax[i] = rowMax;
            gtArgmax[i] = java.util.Arrays.copyOf(ties, gtMaxAssignAll ? t : 1); // ascending: [0] is the first prior
        }
        int[] gtIndex = new int[n];
        for (int j = 0; j < n; j++) {
            float m = maxOverlap[j];
            gtIndex[j] = m >= posIou ? best[j] : (m >= 0 && m < negIou ? Assignment.BACKGROUND : Assignment.IGNORED);
        }
        if (matchLowQuality) {
            for (int i = 0; i < g; i++) {
                if (gtMax[i] < minPosIou) {
                    continue;
                }
                for (int j : gtArgmax[i]) {
                    gtIndex[j] = i;
                }
            }
        }
        return new Assignment(gtIndex, maxOverlap);
    }
}
