package org.aligndet.export.eval;

import org.aligndet.trainer.infer.Detections;

/**
 * The numbers of a detection as results files hold them: each float32 as its shortest decimal
 * ({@code 33.3f} as {@code 33.3}, not {@code 33.29999923706055}), and the box as COCO
 * {@code [x, y, w, h]} with {@code x = x1}, {@code w = max(0, x2 - x1)} in the original image's
 * continuous 0-based pixels. Scoring detections converted this way gives the same numbers as
 * scoring the file they are written to.
 */
public final class AsWritten {
    private AsWritten() {
    }

    /** The float's shortest decimal text, as a double. */
    public static double decimal(float v) {
        return Double.parseDouble(Float.toString(v));
    }

    /** Detection {@code i}'s box as {@code [x1, y1, x2 - x1, y2 - y1]}, sizes at least 0, each value {@link #decimal}. */
    public static double[] xywh(Detections d, int i) {
        float[] b = d.boxes();
        double x = decimal(b[4 * i]);
        double y = decimal(b[4 * i + 1]);
        return new double[] {x, y, Math.max(0, decimal(b[4 * i + 2]) - x), Math.max(0, decimal(b[4 * i + 3]) - y)};
    }
}
