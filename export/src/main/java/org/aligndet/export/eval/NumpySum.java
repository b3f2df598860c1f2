package org.aligndet.export.eval;

/**
 * Sums in NumPy's order: {@code np.add.reduce} over a contiguous 1-D array uses pairwise
 * summation (blocks of 128 summed with 8 partial sums, halves split at a multiple of 8). Matching
 * the order keeps means bit-identical to {@code np.mean}, not just within rounding.
 */
final class NumpySum {
    private static final int BLOCK = 128;

    private NumpySum() {
    }

    /** Pairwise sum of {@code a[off .. off + n)} in float64, as NumPy does it. */
    static double pairwise(double[] a, int off, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[off + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            double[] r = new double[8];
            System.arraycopy(a, off, r, 0, 8);
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[off + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[off + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwise(a, off, n2) + pairwise(a, off + n2, n - n2);
    }

    /** Pairwise sum in float32 arithmetic, as NumPy sums a float32 array. */
    static float pairwise(float[] a, int off, int n) {
        if (n < 8) {
            float res = 0f;
            for (int i = 0; i < n; i++) {
                res += a[off + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            float[] r = new float[8];
            System.arraycopy(a, off, r, 0, 8);
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[off + i + j];
                }
            }
            float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[off + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwise(a, off, n2) + pairwise(a, off + n2, n - n2);
    }

    /** {@code np.mean(a)} of a float64 array; NaN when empty (callers handle that case first). */
    static double mean(double[] a, int n) {
        return (0.0 + pairwise(a, 0, n)) / n;
    }

    /** {@code np.mean(s[s > -1])}, or -1 when no entry is above -1: pycocotools' summary rule. */
    static double meanAboveMinusOne(double[] values, int n) {
        double[] kept = new double[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (values[i] > -1) {
                kept[k++] = values[i];
            }
        }
        return k == 0 ? -1.0 : mean(kept, k);
    }
}
