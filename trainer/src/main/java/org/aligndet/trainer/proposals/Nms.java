package org.aligndet.trainer.proposals;

import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.box.Boxes;

/**
 * Exact greedy non-maximum suppression over boxes already in rank order (best first): box
 * {@code i} is kept unless its IoU with a kept box of better rank is strictly greater than the
 * threshold. Boxes are continuous xyxy; IoU is {@link Boxes#iouFloat64(double[], double[])}.
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
                if (Boxes.iouFloat64(b, boxes.get(k)) > iouThreshold) {
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
}
