package org.aligndet.export.check;

import java.util.Arrays;
import java.util.Comparator;
import org.aligndet.trainer.box.Boxes;
import org.aligndet.trainer.infer.Detections;

/**
 * One-to-one matching of two runtimes' detections of one image, in network-input pixels.
 *
 * <p>Greedy by score: the first side's detections are visited from the highest score down (ties
 * by index); each takes, among the second side's still unmatched detections with the same label,
 * {@code |score_a - score_b| <= maxScoreDelta} and {@code IoU >= minIou}, the one with the highest
 * IoU (ties to the lower index). IoU is {@link Boxes#iouFloat64} of the {@code (x1, y1, x2, y2)}
 * boxes. Two boxes with no area at all (both with zero width or height, e.g. clipped flat at the
 * image border) have no union: their IoU is 1 when every coordinate agrees within
 * {@value #DEGENERATE_TOLERANCE} px, else 0.
 */
public final class DetectionMatcher {
    /** The criterion: boxes this close are the same detection. */
    public static final double DEFAULT_MIN_IOU = 0.99;
    /** The criterion for scores. */
    public static final double DEFAULT_MAX_SCORE_DELTA = 1e-4;

    /** Pixels within which the coordinates of two area-less boxes must agree to count as the same box. */
    public static final double DEGENERATE_TOLERANCE = 1e-2;

    private final double minIou;
    private final double maxScoreDelta;

    public DetectionMatcher(double minIou, double maxScoreDelta) {
        this.minIou = minIou;
        this.maxScoreDelta = maxScoreDelta;
    }

    public static DetectionMatcher standard() {
        return new DetectionMatcher(DEFAULT_MIN_IOU, DEFAULT_MAX_SCORE_DELTA);
    }

    public double minIou() {
        return minIou;
    }

    public double maxScoreDelta() {
        return maxScoreDelta;
    }

    /** @return the number of matched pairs, at most {@code min(a.size(), b.size())} */
    public int count(Detections a, Detections b) {
        return (int) Arrays.stream(pairs(a, b)).filter(j -> j >= 0).count();
    }

    /** For each detection of {@code a}, the one of {@code b} it is matched to, or -1. */
    public int[] pairs(Detections a, Detections b) {
        int[] pair = new int[a.size()];
        Arrays.fill(pair, -1);
        Integer[] order = new Integer[a.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -a.scores()[i]).thenComparingInt(i -> i));
        boolean[] taken = new boolean[b.size()];
        for (int i : order) {
            int best = -1;
            double bestIou = -1;
            for (int j = 0; j < b.size(); j++) {
                if (taken[j] || a.labels()[i] != b.labels()[j]
                        || !(Math.abs((double) a.scores()[i] - b.scores()[j]) <= maxScoreDelta)) {
                    continue;
                }
                double iou = iou(a.box(i), b.box(j));
                if (iou >= minIou && iou > bestIou) {
                    best = j;
                    bestIou = iou;
                }
            }
            if (best >= 0) {
                taken[best] = true;
                pair[i] = best;
            }
        }
        return pair;
    }

    static double iou(float[] p, float[] q) {
        if (area(p) > 0 || area(q) > 0) {
            return Boxes.iouFloat64(p[0], p[1], p[2], p[3], q[0], q[1], q[2], q[3]);
        }
        double d = 0;
        for (int k = 0; k < 4; k++) {
            d = Math.max(d, Math.abs((double) p[k] - q[k]));
        }
        return d <= DEGENERATE_TOLERANCE ? 1 : 0;
    }

    private static double area(float[] b) {
        return Math.max(0, (double) b[2] - b[0]) * Math.max(0, (double) b[3] - b[1]);
    }
}
