package org.aligndet.trainer.box;

/**
 * Pure functions on boxes in {@link BoxFormat#XYXY}, as flat {@code float[N*4]} arrays (pixels, no +1
 * convention: a box's width is {@code x2 - x1}). Nothing here changes its arguments.
 */
public final class Boxes {
    /** Lower bound for a union (and a GIoU enclosure) so that degenerate boxes give 0, not NaN (mmdetection's eps). */
    public static final float EPS = 1e-6f;

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
            for (int j = 0; j < m; j++) {
                float w = Math.max(Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]), 0f);
                float h = Math.max(Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]), 0f);
                float inter = w * h;
                float union = Math.max(areaA[i] + areaB[j] - inter, EPS);
                float iou = inter / union;
                if (generalised) {
                    float ew = Math.max(Math.max(a[4 * i + 2], b[4 * j + 2]) - Math.min(a[4 * i], b[4 * j]), 0f);
                    float eh = Math.max(Math.max(a[4 * i + 3], b[4 * j + 3]) - Math.min(a[4 * i + 1], b[4 * j + 1]), 0f);
                    float enclose = Math.max(ew * eh, EPS);
                    iou -= (enclose - union) / enclose;
                }
                out[i * m + j] = iou;
            }
        }
        return out;
    }

    /** The number of boxes in {@code boxes}, which must hold whole rows of four; the error names the argument. */
    public static int count(float[] boxes, String name) {
        if (boxes == null || boxes.length % 4 != 0) {
            throw new IllegalArgumentException(name + ": expected N*4 floats, got "
                    + (boxes == null ? "null" : boxes.length));
        }
        return boxes.length / 4;
    }
}
