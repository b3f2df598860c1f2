package org.aligndet.trainer.infer;

import java.util.Arrays;
import org.aligndet.trainer.box.Boxes;

/**
 * Multi-class NMS as the ONNX template computes it in PyTorch (torchvision's {@code nms} per class,
 * then the best {@code maxTotal} over all classes):
 *
 * <ol>
 *   <li>per class {@code c}, the candidates with {@code score[m, c] > scoreThr} (float32 comparison),
 *       in score order;</li>
 *   <li>greedy NMS: a candidate is dropped when a box already kept for {@code c} overlaps it with
 *       {@code IoU > iouThr}; IoU is torchvision's float32 {@code inter / (area_i + area_j - inter)}
 *       ({@link Boxes#nmsIouFloat32}), so two boxes of zero area (IoU 0/0, NaN) never suppress each other;</li>
 *   <li>at most {@code maxPerClass} kept per class (the first ones, as {@code keep[:max]});</li>
 *   <li>all kept pairs by score, the best {@code maxTotal}; pairs with score {@code <= 0} are dropped
 *       (the template's empty rows).</li>
 * </ol>
 *
 * <p>Ties: equal scores in a class go by candidate index; equal scores across classes by
 * {@code (class, candidate)}, class first (the template's flattened {@code [C, M]} order). PyTorch
 * leaves tie order unspecified, so only exact ties can differ from it.
 */
public final class MultiClassNms {
    private final float scoreThr;
    private final double iouThr;
    private final int maxPerClass;
    private final int maxTotal;

    public MultiClassNms(float scoreThr, double iouThr, int maxPerClass, int maxTotal) {
        if (maxPerClass <= 0 || maxTotal <= 0) {
            throw new IllegalArgumentException("maxPerClass and maxTotal must be positive");
        }
        this.scoreThr = scoreThr;
        this.iouThr = iouThr;
        this.maxPerClass = maxPerClass;
        this.maxTotal = maxTotal;
    }

    public static MultiClassNms of(PostprocessConfig cfg) {
        return new MultiClassNms(cfg.scoreThr(), cfg.nmsIou(), cfg.maxPerImg(), cfg.maxPerImg());
    }

    /**
     * @param boxes  {@code float[m*4]} xyxy candidate boxes, shared by all classes
     * @param scores {@code float[m*k]}, candidate-major: {@code scores[i*k + c]}
     * @return kept detections (no key, no id), boxes in the candidates' frame, best first
     */
    public Detections apply(float[] boxes, float[] scores, int m, int k) {
        return run(boxes, false, scores, m, k);
    }

    /**
     * As {@link #apply} with a box per candidate and class (two-stage heads' class-specific regression).
     *
     * @param boxes {@code float[m*k*4]}: candidate {@code i}'s box for class {@code c} at {@code 4 * (i*k + c)}
     */
    public Detections applyClassBoxes(float[] boxes, float[] scores, int m, int k) {
        if (boxes.length < 4L * m * k) {
            throw new IllegalArgumentException(m + " candidates of " + k + " classes need " + 4L * m * k
                    + " box floats, got " + boxes.length);
        }
        return run(boxes, true, scores, m, k);
    }

    private Detections run(float[] boxes, boolean classBoxes, float[] scores, int m, int k) {
        if ((long) m * k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(m + " candidates x " + k + " classes is too many for one image");
        }
        if (boxes.length < 4 * m || scores.length < m * k) {
            throw new IllegalArgumentException(m + " candidates of " + k + " classes need " + 4 * m
                    + " box floats and " + (long) m * k + " scores, got " + boxes.length + " and " + scores.length);
        }
        // bucket the (candidate, class) pairs above the threshold by class, in one pass
        int[] count = new int[k + 1];
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < k; c++) {
                if (scores[i * k + c] > scoreThr) {
                    count[c + 1]++;
                }
            }
        }
        for (int c = 0; c < k; c++) {
            count[c + 1] += count[c];
        }
        int[] cand = new int[count[k]];
        int[] fill = Arrays.copyOf(count, k);
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < k; c++) {
                if (scores[i * k + c] > scoreThr) {
                    cand[fill[c]++] = i;
                }
            }
        }
        long[] kept = new long[(int) Math.min(count[k], (long) k * maxPerClass)];
        int nKept = 0;
        int[] keptOfClass = new int[maxPerClass];
        for (int c = 0; c < k; c++) {
            RankOrder.sortDescending(cand, count[c], count[c + 1], scores, k, c);
            int n = greedy(cand, count[c], count[c + 1], boxes, classBoxes ? c : -1, k, keptOfClass);
            for (int j = 0; j < n; j++) {
                int i = keptOfClass[j];
                kept[nKept++] = RankOrder.key(scores[i * k + c], c * m + i);
            }
        }
        Arrays.sort(kept, 0, nKept);
        return pack(kept, Math.min(nKept, maxTotal), boxes, classBoxes, scores, m, k);
    }

    /** Greedy NMS over {@code cand[from..to)} (score order); writes kept candidates to {@code out}, returns how many. */
    private int greedy(int[] cand, int from, int to, float[] b, int cls, int k, int[] out) {
        int n = 0;
        for (int p = from; p < to && n < maxPerClass; p++) {
            int j = cand[p];
            boolean suppressed = false;
            for (int q = 0; q < n && !suppressed; q++) {
                suppressed = cls < 0 ? Boxes.nmsIouFloat32(b, out[q], j) > iouThr
                        : Boxes.nmsIouFloat32(b, out[q] * k + cls, j * k + cls) > iouThr;
            }
            if (!suppressed) {
                out[n++] = j;
            }
        }
        return n;
    }

    private static Detections pack(long[] kept, int n, float[] boxes, boolean classBoxes, float[] scores, int m, int k) {
        float[] b = new float[4 * n];
        float[] s = new float[n];
        int[] l = new int[n];
        int size = 0;
        for (int r = 0; r < n; r++) {
            int flat = RankOrder.index(kept[r]);
            int c = flat / m, i = flat % m;
            float score = scores[i * k + c];
            if (!(score > 0)) {
                break; // sorted: everything after scores no higher
            }
            System.arraycopy(boxes, 4 * (classBoxes ? i * k + c : i), b, 4 * size, 4);
            s[size] = score;
            l[size++] = c;
        }
        return new Detections("", Detections.NO_ID, Arrays.copyOf(b, 4 * size), Arrays.copyOf(s, size), Arrays.copyOf(l, size));
    }
}
