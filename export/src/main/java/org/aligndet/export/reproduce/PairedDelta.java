package org.aligndet.export.reproduce;

import java.util.List;

/**
 * Paired comparison of two arms over folds: each fold gives both arms the same labelled images and
 * seed, so the per-fold differences are what is compared.
 *
 * @param folds         pairs compared
 * @param treatedMean   mean of the treated arm (AlignDet)
 * @param referenceMean mean of the reference arm (the baseline)
 * @param deltaMean     mean of the per-fold differences, treated minus reference
 * @param deltaSe       standard error of that mean: sample standard deviation / sqrt(folds); NaN with one fold
 * @param positiveFolds folds where the treated arm scored strictly higher
 */
public record PairedDelta(int folds, double treatedMean, double referenceMean, double deltaMean, double deltaSe,
                          int positiveFolds) {

    /** @param treated and {@code reference}: one value per fold, in the same fold order */
    public static PairedDelta of(List<Double> treated, List<Double> reference) {
        if (treated.size() != reference.size() || treated.isEmpty()) {
            throw new IllegalArgumentException("paired values needed: " + treated.size() + " vs " + reference.size());
        }
        int n = treated.size();
        double[] d = new double[n];
        int positive = 0;
        for (int i = 0; i < n; i++) {
            d[i] = treated.get(i) - reference.get(i);
            positive += d[i] > 0 ? 1 : 0;
        }
        double mean = mean(d);
        double se = Double.NaN;
        if (n > 1) {
            double ss = 0;
            for (double x : d) {
                ss += (x - mean) * (x - mean);
            }
            se = Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
        }
        return new PairedDelta(n, mean(treated), mean(reference), mean, se, positive);
    }

    /** Every fold positive and the mean delta more than twice its standard error. */
    public boolean clearlyPositive() {
        return positiveFolds == folds && folds > 1 && deltaMean > 2 * deltaSe;
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
