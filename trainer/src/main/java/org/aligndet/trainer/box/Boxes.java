package org.aligndet.trainer.box;

/**
 * Pure functions on boxes, and the one place where box IoU is computed.
 *
 * <p>Arrays: boxes in {@link BoxFormat#XYXY} as flat {@code float[N*4]} (pixels, no +1 convention:
 * a box's width is {@code x2 - x1}), pairwise IoU/GIoU in float32 as mmdetection's
 * {@code bbox_overlaps} (training: assigners, targets).
 *
 * <p>Scalars: the IoU of two boxes in each arithmetic a reference uses, named by frame and
 * precision, because matching a reference to the last bit needs its exact operations:
 * <ul>
 *   <li>{@link #nmsIouFloat32}: torchvision's {@code nms}, float32, no floor (the ONNX template's NMS);</li>
 *   <li>{@link #iouFloat64}: continuous xyxy in float64 (proposal NMS, the cross-runtime match);</li>
 *   <li>{@link #cocoIouFloat64}: pycocotools, {@code [x, y, w, h]} in float64, crowd regions;</li>
 *   <li>{@link #vocIouFloat32} and {@link #vocIouFloat64}: VOC's 1-based inclusive frame (+1 on
 *       widths) as mmdetection's {@code eval_map} (float32) and detectron2's {@code voc_eval} (float64).</li>
 * </ul>
 * The differentiable IoU of training losses is a tensor operation ({@code loss.AlignedOverlaps}).
 * Nothing here changes its arguments.
 */
public final class Boxes {
    /** Lower bound for a union (and a GIoU enclosure) so that degenerate boxes give 0, not NaN (mmdetection's eps). */
    public static final float EPS = 1e-6f;
    /** {@code np.finfo(np.float32).eps}: mmdetection's floor of unions and denominators in VOC evaluation. */
    public static final float FLOAT32_EPS = Math.ulp(1.0f);

    private Boxes() {
    }

    /** {@code area[i] = (x2 - x1) * (y2 - y1)}; {@code float[N]}. */
    public static float[] area(float[] boxes) {
        count(boxes, "boxes");
        float[] a = new float[boxes.length / 4];
        for (int i = 0; i < a.length; i++) {
            a[i] = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
        }
        return a;
    }

    /** Pairwise IoU: {@code a} N*4, {@code b} M*4 (xyxy) → {@code float[N*M]}, row-major, {@code [i*M + j]}. */
    public static float[] iou(float[] a, float[] b) {
        return overlaps(a, b, false);
    }

    /** Pairwise generalised IoU (in [-1, 1]): N*4 and M*4 xyxy → {@code float[N*M]}, row-major. */
    public static float[] giou(float[] a, float[] b) {
        return overlaps(a, b, true);
    }

    /**
     * A copy of {@code boxes} with x clamped to {@code [0, width]} and y to {@code [0, height]}.
     */
    public static float[] clip(float[] boxes, float width, float height) {
        count(boxes, "boxes");
        float[] out = boxes.clone();
        for (int i = 0; i < out.length; i++) {
            float hi = i % 2 == 0 ? width : height;
            out[i] = Math.min(Math.max(out[i], 0f), hi);
        }
        return out;
    }

    private static float[] overlaps(float[] a, float[] b, boolean generalised) {
        count(a, "a");
        count(b, "b");
        int n = a.length / 4, m = b.length / 4;
        float[] areaA = area(a), areaB = area(b);
        float[] out = new float[n * m];
        for (int i = 0; i < n; i++) {
            overlapRow(a, i, areaA[i], b, areaB, generalised, out, i * m);
        }
        return out;
    }

    /**
     * Boxes as four coordinate columns and their areas ({@code b} of {@link #iouRow}), for scanning
     * many boxes against one: contiguous arrays that the JIT compiler can vectorise.
     */
    public record Columns(float[] x1, float[] y1, float[] x2, float[] y2, float[] area) {
        public static Columns of(float[] boxes) {
            int n = count(boxes, "boxes");
            float[] x1 = new float[n], y1 = new float[n], x2 = new float[n], y2 = new float[n];
            for (int j = 0; j < n; j++) {
                x1[j] = boxes[4 * j];
                y1[j] = boxes[4 * j + 1];
                x2[j] = boxes[4 * j + 2];
                y2[j] = boxes[4 * j + 3];
            }
            return new Columns(x1, y1, x2, y2, Boxes.area(boxes));
        }

        public int size() {
            return x1.length;
        }
    }

    /**
     * Row {@code i} of {@link #iou}{@code (a, b)} into {@code out[0..M)}, bit for bit the same values
     * (the same float operations in the same order): for callers that stream the matrix row by row
     * instead of holding {@code N*M} floats.
     */
    public static void iouRow(float[] a, int i, Columns b, float[] out) {
        iouRange(a, i, b, 0, b.size(), out);
    }

    /** {@link #iouRow} for the columns {@code [from, to)} only, into {@code out[from..to)}: the same values. */
    public static void iouRange(float[] a, int i, Columns b, int from, int to, float[] out) {
        float ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
        float areaI = (ax2 - ax1) * (ay2 - ay1);
        float[] bx1 = b.x1, by1 = b.y1, bx2 = b.x2, by2 = b.y2, areaB = b.area;
        for (int j = from; j < to; j++) {
            float w = Math.max(Math.min(ax2, bx2[j]) - Math.max(ax1, bx1[j]), 0f);
            float h = Math.max(Math.min(ay2, by2[j]) - Math.max(ay1, by1[j]), 0f);
            float inter = w * h;
            out[j] = inter / Math.max(areaI + areaB[j] - inter, EPS);
        }
    }

    private static void overlapRow(float[] a, int i, float areaI, float[] b, float[] areaB, boolean generalised, float[] out,
                                   int at) {
        int m = areaB.length;
        float ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
        for (int j = 0; j < m; j++) {
            float w = Math.max(Math.min(ax2, b[4 * j + 2]) - Math.max(ax1, b[4 * j]), 0f);
            float h = Math.max(Math.min(ay2, b[4 * j + 3]) - Math.max(ay1, b[4 * j + 1]), 0f);
            float inter = w * h;
            float union = Math.max(areaI + areaB[j] - inter, EPS);
            float iou = inter / union;
            if (generalised) {
                float ew = Math.max(Math.max(ax2, b[4 * j + 2]) - Math.min(ax1, b[4 * j]), 0f);
                float eh = Math.max(Math.max(ay2, b[4 * j + 3]) - Math.min(ay1, b[4 * j + 1]), 0f);
                float enclose = Math.max(ew * eh, EPS);
                iou -= (enclose - union) / enclose;
            }
            out[at + j] = iou;
        }
    }

    /**
     * IoU of boxes {@code i} and {@code j} of {@code boxes} (xyxy, {@code float[N*4]}) as torchvision's
     * {@code nms} computes it: float32, {@code inter / (area_i + area_j - inter)} with no floor, so two
     * boxes without area give NaN (and never suppress each other).
     */
    public static float nmsIouFloat32(float[] boxes, int i, int j) {
        float w = Math.max(0f, Math.min(boxes[4 * i + 2], boxes[4 * j + 2]) - Math.max(boxes[4 * i], boxes[4 * j]));
        float h = Math.max(0f, Math.min(boxes[4 * i + 3], boxes[4 * j + 3]) - Math.max(boxes[4 * i + 1], boxes[4 * j + 1]));
        float inter = w * h;
        float areaI = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
        float areaJ = (boxes[4 * j + 2] - boxes[4 * j]) * (boxes[4 * j + 3] - boxes[4 * j + 1]);
        return inter / (areaI + areaJ - inter);
    }

    /**
     * IoU of two continuous xyxy boxes in float64: 0 unless they overlap with positive width and
     * height, else {@code inter / union}.
     */
    public static double iouFloat64(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2, double by2) {
        double iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
        double ih = Math.min(ay2, by2) - Math.max(ay1, by1);
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        double union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /** {@link #iouFloat64(double, double, double, double, double, double, double, double)} of {@code {x1, y1, x2, y2}} arrays. */
    public static double iouFloat64(double[] a, double[] b) {
        return iouFloat64(a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]);
    }

    /**
     * COCO's IoU (pycocotools' maskApi {@code bbIou}) of a detection {@code d} and a ground-truth box
     * {@code g}, both {@code [x, y, w, h]}, float64, no +1. For a crowd {@code g} the union is the
     * detection's own area. Zero when the boxes do not overlap with positive width and height.
     */
    public static double cocoIouFloat64(double dx, double dy, double dw, double dh, double gx, double gy, double gw, double gh,
                                        boolean crowd) {
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
     * VOC IoU as mmdetection's {@code bbox_overlaps(..., use_legacy_coordinate=True)}: 1-based
     * inclusive {@code [x1, y1, x2, y2]} (+1 on widths and heights), every operation in float32,
     * union floored at {@link #FLOAT32_EPS}.
     */
    public static float vocIouFloat32(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2) {
        float areaA = (ax2 - ax1 + 1f) * (ay2 - ay1 + 1f);
        float areaB = (bx2 - bx1 + 1f) * (by2 - by1 + 1f);
        float iw = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1) + 1f, 0f);
        float ih = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1) + 1f, 0f);
        float overlap = iw * ih;
        float union = Math.max(areaA + areaB - overlap, FLOAT32_EPS);
        return overlap / union;
    }

    /**
     * VOC IoU as py-faster-rcnn / detectron2 {@code voc_eval}: 1-based inclusive
     * {@code [x1, y1, x2, y2]}, float64, +1 on widths and heights. {@code d} is the detection,
     * {@code g} the object.
     */
    public static double vocIouFloat64(double dx1, double dy1, double dx2, double dy2, double gx1, double gy1, double gx2, double gy2) {
        double iw = Math.max(Math.min(gx2, dx2) - Math.max(gx1, dx1) + 1.0, 0.0);
        double ih = Math.max(Math.min(gy2, dy2) - Math.max(gy1, dy1) + 1.0, 0.0);
        double inter = iw * ih;
        double union = (dx2 - dx1 + 1.0) * (dy2 - dy1 + 1.0) + (gx2 - gx1 + 1.0) * (gy2 - gy1 + 1.0) - inter;
        return inter / union;
    }

    /** The number of boxes in {@code boxes}, which must hold whole rows of four; the error names the argument. */
    /** The arrays one after the other (boxes of several levels or images, in order). */
    public static float[] concat(java.util.List<float[]> parts) {
        int n = 0;
        for (float[] a : parts) {
            n += a.length;
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    public static int count(float[] boxes, String name) {
        if (boxes == null || boxes.length % 4 != 0) {
            throw new IllegalArgumentException(name + ": expected N*4 floats, got "
                    + (boxes == null ? "null" : boxes.length));
        }
        return boxes.length / 4;
    }
}
