package org.aligndet.export.eval;

import java.util.List;

/**
 * pycocotools' default bbox {@code Params}: the IoU thresholds, recall points, maxDets and area
 * ranges that define the 12 COCO stats.
 *
 * <p>{@code iouThrs} and {@code recThrs} are built the way {@code np.linspace} builds them
 * ({@code start + i * ((stop - start) / (num - 1))}, last value set to {@code stop}), so they hold
 * the exact doubles pycocotools compares against: {@code iouThrs[8] == 0.8999999999999999}.
 */
public final class CocoParams {
    /** Labels of {@link #areaRanges()}, in pycocotools' order. */
    public static final List<String> AREA_LABELS = List.of("all", "small", "medium", "large");

    private static final CocoParams DEFAULT = new CocoParams();

    private final double[] iouThrs = linspace(0.5, 0.95, 10);
    private final double[] recThrs = linspace(0.0, 1.0, 101);
    private final int[] maxDets = {1, 10, 100};
    private final double[][] areaRanges = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};

    private CocoParams() {
    }

    /** The defaults of {@code COCOeval(gt, dt, "bbox")}. */
    public static CocoParams defaults() {
        return DEFAULT;
    }

    /** {@code np.linspace(start, stop, num)} with endpoint, bit for bit. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** IoU thresholds 0.50:0.05:0.95, length T = 10. */
    public double[] iouThrs() {
        return iouThrs.clone();
    }

    /** Recall points 0:0.01:1, length R = 101. */
    public double[] recThrs() {
        return recThrs.clone();
    }

    /** maxDets {1, 10, 100}; the last one is the per-(image, category) cap. */
    public int[] maxDets() {
        return maxDets.clone();
    }

    /** Area ranges {@code [lo, hi]}, both ends inclusive, in {@link #AREA_LABELS} order. */
    public double[][] areaRanges() {
        double[][] copy = new double[areaRanges.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = areaRanges[i].clone();
        }
        return copy;
    }

    int numIou() {
        return iouThrs.length;
    }

    int numRec() {
        return recThrs.length;
    }

    int numArea() {
        return areaRanges.length;
    }

    int numMaxDets() {
        return maxDets.length;
    }

    double iou(int t) {
        return iouThrs[t];
    }

    double rec(int r) {
        return recThrs[r];
    }

    int maxDet(int m) {
        return maxDets[m];
    }

    double areaLo(int a) {
        return areaRanges[a][0];
    }

    double areaHi(int a) {
        return areaRanges[a][1];
    }

    /** Index of the threshold equal to {@code iou} (as {@code np.where(iouThr == iouThrs)}), or -1. */
    int iouIndex(double iou) {
        for (int t = 0; t < iouThrs.length; t++) {
            if (iouThrs[t] == iou) {
                return t;
            }
        }
        return -1;
    }
}
