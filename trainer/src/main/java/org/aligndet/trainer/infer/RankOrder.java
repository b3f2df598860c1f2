package org.aligndet.trainer.infer;

import java.util.Arrays;

/**
 * Orders indices by a float value, largest first. Ties (equal values) keep the lower index first,
 * which makes every selection here deterministic; PyTorch's {@code topk} and {@code sort} leave the
 * order of ties unspecified. NaN values sort after everything else.
 *
 * <p>Each (value, index) pair is packed into one {@code long} whose natural order is the wanted one,
 * so a primitive sort does the work.
 */
final class RankOrder {
    private RankOrder() {
    }

    /** {@code int} whose signed order is the float order (NaN above +inf, -0 below +0). */
    static int sortable(float v) {
        int bits = Float.floatToIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** Key sorting ascending as (value descending, index ascending); NaN last. */
    static long key(float v, int index) {
        int s = Float.isNaN(v) ? Integer.MIN_VALUE : sortable(v);
        return ((long) ~s << 32) | (index & 0xffffffffL);
    }

    static int index(long key) {
        return (int) key;
    }

    /**
     * Indices of the {@code k} largest of {@code values[0..n)}, largest first; all {@code n} in order
     * when {@code k <= 0} or {@code k >= n}.
     */
    static int[] top(float[] values, int n, int k) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = key(values[i], i);
        }
        int keep = k <= 0 || k >= n ? n : k;
        if (keep < n) {
            select(keys, keep);
            Arrays.sort(keys, 0, keep);
        } else {
            Arrays.sort(keys);
        }
        int[] out = new int[keep];
        for (int i = 0; i < keep; i++) {
            out[i] = index(keys[i]);
        }
        return out;
    }

    /** Sorts {@code idx[from..to)} in place by {@code values[idx[i]]} descending, ties by index ascending. */
    static void sortDescending(int[] idx, int from, int to, float[] values, int stride, int offset) {
        long[] keys = new long[to - from];
        for (int i = from; i < to; i++) {
            keys[i - from] = key(values[idx[i] * stride + offset], idx[i]);
        }
        Arrays.sort(keys);
        for (int i = from; i < to; i++) {
            idx[i] = index(keys[i - from]);
        }
    }

    /** Rearranges {@code keys} so that its {@code k} smallest come first (in any order); keys are distinct. */
    static void select(long[] keys, int k) {
        int lo = 0, hi = keys.length - 1;
        while (lo < hi) {
            long pivot = median(keys[lo], keys[(lo + hi) >>> 1], keys[hi]);
            int i = lo, j = hi;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = keys[i];
                    keys[i++] = keys[j];
                    keys[j--] = t;
                }
            }
            // now keys[lo..j] <= pivot <= keys[i..hi]
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static long median(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
