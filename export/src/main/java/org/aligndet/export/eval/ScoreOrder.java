package org.aligndet.export.eval;

/**
 * Stable descending sort of indices by score: NumPy's {@code argsort(-score, kind='mergesort')}.
 * Equal scores (IEEE equality, so {@code -0.0 == 0.0}) keep their input order.
 */
final class ScoreOrder {
    private ScoreOrder() {
    }

    /** Sorts {@code idx[from, to)} so that {@code score[idx[i]]} does not increase; stable. */
    static void sortDescending(int[] idx, int from, int to, double[] score) {
        int n = to - from;
        if (n < 2) {
            return;
        }
        if (n <= 24) {
            insertion(idx, from, to, score);
            return;
        }
        int[] buf = new int[n];
        mergeSort(idx, from, to, score, buf);
    }

    private static void insertion(int[] idx, int from, int to, double[] score) {
        for (int i = from + 1; i < to; i++) {
            int v = idx[i];
            double s = score[v];
            int j = i - 1;
            while (j >= from && score[idx[j]] < s) {
                idx[j + 1] = idx[j];
                j--;
            }
            idx[j + 1] = v;
        }
    }

    private static void mergeSort(int[] idx, int from, int to, double[] score, int[] buf) {
        if (to - from <= 24) {
            insertion(idx, from, to, score);
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(idx, from, mid, score, buf);
        mergeSort(idx, mid, to, score, buf);
        if (!(score[idx[mid]] > score[idx[mid - 1]])) {
            return;
        }
        int n = to - from;
        int i = from;
        int j = mid;
        for (int k = 0; k < n; k++) {
            // take from the right only when strictly greater: ties keep the left (earlier) entry first
            if (j < to && (i >= mid || score[idx[j]] > score[idx[i]])) {
                buf[k] = idx[j++];
            } else {
                buf[k] = idx[i++];
            }
        }
        System.arraycopy(buf, 0, idx, from, n);
    }
}
