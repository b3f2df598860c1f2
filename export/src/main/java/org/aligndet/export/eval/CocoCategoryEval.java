package org.aligndet.export.eval;

import java.util.Arrays;
import org.aligndet.trainer.box.Boxes;
import org.aligndet.trainer.mask.Rle;

/**
 * pycocotools' {@code evaluateImg} and {@code accumulate} for one category: every image's
 * detections matched to its GT at every IoU threshold and area range, then precision and recall
 * written into that category's slice of the shared arrays (so categories run in parallel and the
 * result does not depend on scheduling).
 *
 * <p>Input: GT indices of this category sorted by (image index, file order) and detection
 * indices sorted by (image index, input order). Detection states per (area, threshold, detection):
 * {@link #FP}, {@link #TP} or {@link #IGNORED}.
 */
final class CocoCategoryEval {
    static final byte FP = 0;
    static final byte TP = 1;
    static final byte IGNORED = 2;
    /** pycocotools' {@code np.spacing(1)} in {@code tp / (tp + fp + eps)}. */
    private static final double EPS = Math.ulp(1.0);
    /** An IoU threshold is capped here so that IoU 1 still matches at threshold 1. */
    private static final double MAX_IOU_THR = 1 - 1e-10;

    private final CocoParams p;
    private final IouType iouType;
    private final CocoGroundTruth gt;
    private final CocoDetections dt;
    private final int numCategories;

    // per category, over the kept detections in concatenation order (ascending image, then score)
    private double[] scores;
    private int[] rankInImage;
    private byte[] state;
    private int numKept;
    private long[] npig;
    private boolean anyImage;

    CocoCategoryEval(CocoParams p, IouType iouType, CocoGroundTruth gt, CocoDetections dt) {
        this.p = p;
        this.iouType = iouType;
        this.gt = gt;
        this.dt = dt;
        this.numCategories = gt.categoryIds.length;
    }

    /**
     * Evaluates category k and writes {@code precision[T][R][K][A][M]} and {@code recall[T][K][A][M]}
     * (flat, C order) at k. The arrays must be filled with -1 beforehand.
     *
     * @param gts GT indices of category k, sorted by (image index, file order)
     * @param dts detection indices of category k with image indices {@code dtImage}, sorted by (image index, input order)
     */
    void run(int k, int[] gts, int[] dts, int[] dtImage, double[] precision, double[] recall) {
        match(gts, dts, dtImage);
        if (!anyImage) {
            return;
        }
        for (int m = 0; m < p.numMaxDets(); m++) {
            int[] order = selectAndSort(p.maxDet(m));
            for (int a = 0; a < p.numArea(); a++) {
                if (npig[a] == 0) {
                    continue;
                }
                for (int t = 0; t < p.numIou(); t++) {
                    accumulate(k, a, m, t, order, precision, recall);
                }
            }
        }
    }

    private void match(int[] gts, int[] dts, int[] dtImage) {
        int cap = p.maxDet(p.numMaxDets() - 1);
        int kept = 0;
        for (int j = 0; j < dts.length; ) {
            int img = dtImage[dts[j]];
            int end = j;
            while (end < dts.length && dtImage[dts[end]] == img) {
                end++;
            }
            kept += Math.min(end - j, cap);
            j = end;
        }
        numKept = kept;
        int numA = p.numArea();
        int numT = p.numIou();
        scores = new double[kept];
        rankInImage = new int[kept];
        state = new byte[numA * numT * Math.max(kept, 1)];
        npig = new long[numA];
        anyImage = gts.length > 0 || dts.length > 0;
        int gi = 0;
        int di = 0;
        int pos = 0;
        while (gi < gts.length || di < dts.length) {
            int gImg = gi < gts.length ? gt.annImage[gts[gi]] : Integer.MAX_VALUE;
            int dImg = di < dts.length ? dtImage[dts[di]] : Integer.MAX_VALUE;
            int img = Math.min(gImg, dImg);
            int gEnd = gi;
            while (gEnd < gts.length && gt.annImage[gts[gEnd]] == img) {
                gEnd++;
            }
            int dEnd = di;
            while (dEnd < dts.length && dtImage[dts[dEnd]] == img) {
                dEnd++;
            }
            int[] d = Arrays.copyOfRange(dts, di, dEnd);
            ScoreOrder.sortDescending(d, 0, d.length, dt.score);
            int numD = Math.min(d.length, cap);
            matchImage(Arrays.copyOfRange(gts, gi, gEnd), d, numD, pos);
            pos += numD;
            gi = gEnd;
            di = dEnd;
        }
    }

    /** evaluateImg for one image: GT {@code g} (file order), the first {@code numD} of {@code d} (score order). */
    private void matchImage(int[] g, int[] d, int numD, int pos) {
        int numG = g.length;
        double[] iou = new double[numD * numG];
        boolean masks = iouType == IouType.SEGM;
        for (int di = 0; di < numD; di++) {
            int q = d[di];
            scores[pos + di] = dt.score[q];
            rankInImage[pos + di] = di;
            Rle dtMask = masks && numG > 0 ? dt.mask(q) : null;
            for (int gi = 0; gi < numG; gi++) {
                int r = g[gi];
                iou[di * numG + gi] = masks ? Rle.iou(dtMask, gt.mask[r], gt.crowd[r])
                        : Boxes.cocoIouFloat64(dt.x[q], dt.y[q], dt.w[q], dt.h[q], gt.x[r], gt.y[r], gt.w[r], gt.h[r], gt.crowd[r]);
            }
        }
        boolean[] ignored = new boolean[numG];
        int[] order = new int[numG];
        boolean[] taken = new boolean[numG];
        for (int a = 0; a < p.numArea(); a++) {
            double lo = p.areaLo(a);
            double hi = p.areaHi(a);
            int n = 0;
            for (int gi = 0; gi < numG; gi++) {
                int r = g[gi];
                ignored[gi] = gt.crowd[r] || gt.area[r] < lo || gt.area[r] > hi;
                if (!ignored[gi]) {
                    order[n++] = gi;
                }
            }
            npig[a] += n;
            for (int gi = 0; gi < numG; gi++) {
                if (ignored[gi]) {
                    order[n++] = gi;
                }
            }
            for (int t = 0; t < p.numIou(); t++) {
                Arrays.fill(taken, false);
                double thr = Math.min(p.iou(t), MAX_IOU_THR);
                int base = (a * p.numIou() + t) * numKept + pos;
                for (int di = 0; di < numD; di++) {
                    int m = bestGt(iou, di, numG, order, ignored, taken, g, thr);
                    boolean ignore = m >= 0 && ignored[m];
                    boolean matched = m >= 0 && gt.annId[g[m]] != 0;
                    if (m >= 0) {
                        taken[m] = true;
                    }
                    if (!matched) {
                        double area = dt.area[d[di]];
                        ignore |= area < lo || area > hi;
                    }
                    state[base + di] = ignore ? IGNORED : matched ? TP : FP;
                }
            }
        }
    }

    /** The GT a detection matches at threshold thr, or -1: pycocotools' greedy inner loop. */
    private int bestGt(double[] iou, int di, int numG, int[] order, boolean[] ignored, boolean[] taken, int[] g, double thr) {
        double best = thr;
        int m = -1;
        for (int oi = 0; oi < numG; oi++) {
            int gi = order[oi];
            if (taken[gi] && !gt.crowd[g[gi]]) {
                continue;
            }
            if (m > -1 && !ignored[m] && ignored[gi]) {
                break;
            }
            double v = iou[di * numG + gi];
            if (v < best) {
                continue;
            }
            best = v;
            m = gi;
        }
        return m;
    }

    /** Positions of the first {@code maxDet} detections of each image, stably sorted by score, descending. */
    private int[] selectAndSort(int maxDet) {
        int[] sel = new int[numKept];
        int n = 0;
        for (int i = 0; i < numKept; i++) {
            if (rankInImage[i] < maxDet) {
                sel[n++] = i;
            }
        }
        sel = Arrays.copyOf(sel, n);
        ScoreOrder.sortDescending(sel, 0, n, scores);
        return sel;
    }

    private void accumulate(int k, int a, int m, int t, int[] order, double[] precision, double[] recall) {
        int nd = order.length;
        int base = (a * p.numIou() + t) * numKept;
        double[] rc = new double[nd];
        double[] pr = new double[nd];
        double tp = 0;
        double fp = 0;
        double np = npig[a];
        for (int i = 0; i < nd; i++) {
            byte s = state[base + order[i]];
            if (s == TP) {
                tp += 1;
            } else if (s == FP) {
                fp += 1;
            }
            rc[i] = tp / np;
            pr[i] = tp / (fp + tp + EPS);
        }
        int numA = p.numArea();
        int numM = p.numMaxDets();
        recall[((t * numCategories + k) * numA + a) * numM + m] = nd > 0 ? rc[nd - 1] : 0.0;
        for (int i = nd - 1; i > 0; i--) {
            if (pr[i] > pr[i - 1]) {
                pr[i - 1] = pr[i];
            }
        }
        int idx = 0;
        int numR = p.numRec();
        for (int r = 0; r < numR; r++) {
            double thr = p.rec(r);
            while (idx < nd && rc[idx] < thr) {
                idx++;
            }
            double q = idx < nd ? pr[idx] : 0.0;
            precision[(((t * numR + r) * numCategories + k) * numA + a) * numM + m] = q;
        }
    }
}
