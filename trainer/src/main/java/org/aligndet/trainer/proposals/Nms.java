package org.aligndet.trainer.proposals;

import java.util.ArrayList;
import java.util.List;

/**
 * Exact greedy non-maximum suppression over boxes already in rank order (best first): box
 * {@code i} is kept unless its IoU with a kept box of better rank is strictly greater than the
 * threshold. Boxes are continuous xyxy ({@code area = (x2 - x1) (y2 - y1)}); IoU in doubles.
 */
public final class Nms {
    private Nms() {
    }

    /** Indices of the kept boxes, ascending (so still in rank order). {@code boxes[i] = {x1, y1, x2, y2}}. */
    public static List<Integer> keep(List<double[]> boxes, double iouThreshold) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) {
            double[] b = boxes.get(i);
            boolean suppressed = false;
            for (int k : kept) {
                if (iou(b, boxes.get(k)) > iouThreshold) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept.add(i);
            }
        }
        return kept;
    }

    public static double iou(double[] a, double[] b) {
        double iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        double ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        double union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
