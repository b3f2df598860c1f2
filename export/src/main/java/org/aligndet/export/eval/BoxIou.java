package org.aligndet.export.eval;

/**
 * IoU as the three references compute it. Pure functions; no box is changed.
 */
final class BoxIou {
    /** mmdetection's union floor, {@code np.finfo(np.float32).eps}. */
    static final float EPS32 = Math.ulp(1.0f);

    private BoxIou() {
    }

    /**
     * COCO (maskApi {@code bbIou}) for {@code [x, y, w, h]} boxes, float64, no +1. For a crowd GT the
     * union is the detection's own area. Zero when the boxes do not overlap with positive width
     * and height.
     */
    static double coco(double dx, double dy, double dw, double dh, double gx, double gy, double gw, double gh, boolean crowd) {
        double w = Math.min(dx + dw, gx + gw) - Math.max(dx, gx);
        if (w <= 0) {
            return 0.0;
        }
        double h = Math.min(dy + dh, gy + gh) - Math.max(dy, gy);
        if (h <= 0) {
            return 0.0;
        }
        double i = w * h;
        double da = dw * dh;
        double u = crowd ? da : da + gw * gh - i;
        return i / u;
    }

    /**
     * mmdetection {@code bbox_overlaps(..., use_legacy_coordinate=True)}: VOC 1-based inclusive
     * {@code [x1, y1, x2, y2]}, every operation in float32, union floored at {@link #EPS32}.
     */
    static float vocFloat32(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2) {
        float areaA = (ax2 - ax1 + 1f) * (ay2 - ay1 + 1f);
        float areaB = (bx2 - bx1 + 1f) * (by2 - by1 + 1f);
        float iw = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1) + 1f, 0f);
        float ih = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1) + 1f, 0f);
        float overlap = iw * ih;
        float union = Math.max(areaA + areaB - overlap, EPS32);
        return overlap / union;
    }

    /**
     * py-faster-rcnn / detectron2 {@code voc_eval}: VOC 1-based inclusive {@code [x1, y1, x2, y2]},
     * float64, +1 on widths and heights. {@code d} is the detection, {@code g} the object.
     */
    static double vocFloat64(double dx1, double dy1, double dx2, double dy2, double gx1, double gy1, double gx2, double gy2) {
        double iw = Math.max(Math.min(gx2, dx2) - Math.max(gx1, dx1) + 1.0, 0.0);
        double ih = Math.max(Math.min(gy2, dy2) - Math.max(gy1, dy1) + 1.0, 0.0);
        double inter = iw * ih;
        double union = (dx2 - dx1 + 1.0) * (dy2 - dy1 + 1.0) + (gx2 - gx1 + 1.0) * (gy2 - gy1 + 1.0) - inter;
        return inter / union;
    }
}
