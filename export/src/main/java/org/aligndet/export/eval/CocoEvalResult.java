package org.aligndet.export.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code COCOeval.accumulate()} holds, plus {@code summarize()}'s 12 stats.
 *
 * <p>{@code precision} has shape {@code [T=10, R=101, K, A=4, M=3]} and {@code recall}
 * {@code [T, K, A, M]}, both C order, K = categories in ascending id order, A in
 * {@link CocoParams#AREA_LABELS} order, M = maxDets {1, 10, 100}. An entry is -1 where the
 * category has no non-ignored GT in that area range (or nothing at all).
 */
public final class CocoEvalResult {
    /** The 12 stats in pycocotools' order, as its {@code summarize()} prints them. */
    public static final List<String> STAT_NAMES = List.of(
            "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");

    private final CocoParams params;
    private final IouType iouType;
    private final long[] categoryIds;
    private final List<String> categoryNames;
    private final double[] precision;
    private final double[] recall;
    private final double[] stats;
    private final List<CategoryAp> perCategory;

    CocoEvalResult(CocoParams params, IouType iouType, long[] categoryIds, List<String> categoryNames, double[] precision, double[] recall) {
        this.params = params;
        this.iouType = iouType;
        this.categoryIds = categoryIds.clone();
        this.categoryNames = List.copyOf(categoryNames);
        this.precision = precision;
        this.recall = recall;
        this.stats = summarize();
        this.perCategory = List.copyOf(computePerCategory());
    }

    /** One category's AP: {@code category id, name, AP@[.50:.95], AP@.50}, -1 where it has no GT. */
    public record CategoryAp(long categoryId, String name, double ap, double ap50) {
    }

    /** {@code COCOeval.stats}: AP, AP50, AP75, AP small/medium/large, AR1, AR10, AR100, AR small/medium/large. */
    public double[] stats() {
        return stats.clone();
    }

    public long[] categoryIds() {
        return categoryIds.clone();
    }

    public List<String> categoryNames() {
        return categoryNames;
    }

    /** Per category, ascending id: AP@[.50:.95] and AP@.50, area all, maxDets 100. */
    public List<CategoryAp> perCategory() {
        return perCategory;
    }

    private List<CategoryAp> computePerCategory() {
        int t50 = params.iouIndex(0.5);
        List<CategoryAp> out = new ArrayList<>(categoryIds.length);
        for (int k = 0; k < categoryIds.length; k++) {
            double ap = meanPrecision(-1, k, 0, params.numMaxDets() - 1);
            double ap50 = meanPrecision(t50, k, 0, params.numMaxDets() - 1);
            out.add(new CategoryAp(categoryIds[k], categoryNames.get(k), ap, ap50));
        }
        return out;
    }

    /** {@code precision[t, r, k, a, m]}. */
    public double precision(int t, int r, int k, int a, int m) {
        return precision[index(t, r, k, a, m)];
    }

    /** {@code recall[t, k, a, m]}. */
    public double recall(int t, int k, int a, int m) {
        return recall[((t * categoryIds.length + k) * params.numArea() + a) * params.numMaxDets() + m];
    }

    /** Precision at the 101 recall points for category k, threshold t, area all, maxDets 100 (-1s when no GT). */
    public double[] precisionCurve(int k, int t) {
        double[] curve = new double[params.numRec()];
        for (int r = 0; r < curve.length; r++) {
            curve[r] = precision(t, r, k, 0, params.numMaxDets() - 1);
        }
        return curve;
    }

    public CocoParams params() {
        return params;
    }

    /** What was overlapped: boxes or masks. */
    public IouType iouType() {
        return iouType;
    }

    private int index(int t, int r, int k, int a, int m) {
        return (((t * params.numRec() + r) * categoryIds.length + k) * params.numArea() + a) * params.numMaxDets() + m;
    }

    private double[] summarize() {
        int all = params.numMaxDets() - 1;
        int m1 = 0;
        int m10 = 1;
        return new double[]{
            meanPrecision(-1, -1, 0, all),
            meanPrecision(params.iouIndex(0.5), -1, 0, all),
            meanPrecision(params.iouIndex(0.75), -1, 0, all),
            meanPrecision(-1, -1, 1, all),
            meanPrecision(-1, -1, 2, all),
            meanPrecision(-1, -1, 3, all),
            meanRecall(0, m1),
            meanRecall(0, m10),
            meanRecall(0, all),
            meanRecall(1, all),
            meanRecall(2, all),
            meanRecall(3, all),
        };
    }

    /** Mean of {@code precision[t?, :, k?, a, m]} entries above -1, in C order; t or k of -1 means all. */
    private double meanPrecision(int tOnly, int kOnly, int a, int m) {
        int numK = categoryIds.length;
        double[] slice = new double[params.numIou() * params.numRec() * (kOnly < 0 ? numK : 1)];
        int n = 0;
        for (int t = 0; t < params.numIou(); t++) {
            if (tOnly >= 0 && t != tOnly) {
                continue;
            }
            for (int r = 0; r < params.numRec(); r++) {
                int kFrom = kOnly < 0 ? 0 : kOnly;
                int kTo = kOnly < 0 ? numK : kOnly + 1;
                for (int k = kFrom; k < kTo; k++) {
                    slice[n++] = precision(t, r, k, a, m);
                }
            }
        }
        return NumpySum.meanAboveMinusOne(slice, n);
    }

    private double meanRecall(int a, int m) {
        int numK = categoryIds.length;
        double[] slice = new double[params.numIou() * numK];
        int n = 0;
        for (int t = 0; t < params.numIou(); t++) {
            for (int k = 0; k < numK; k++) {
                slice[n++] = recall(t, k, a, m);
            }
        }
        return NumpySum.meanAboveMinusOne(slice, n);
    }
}
