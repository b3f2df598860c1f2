package org.aligndet.export.eval;

import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.box.Boxes;
import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.data.VocObject;

/**
 * One class under detectron2 {@code voc_eval} semantics (the py-faster-rcnn algorithm), float64:
 * all detections of the class sorted by score, each matched to the best object of its image in
 * XML order (difficult ones included) when IoU {@code > thr}.
 */
final class VocDetectron2Class {
    private VocDetectron2Class() {
    }

    static VocClassAp evaluate(String name, int label, List<VocImage> images, List<VocDetection> dets, int[] detImage,
                               double iouThr, VocEvaluator.Metric metric) {
        List<List<VocObject>> recs = new ArrayList<>();
        List<boolean[]> detected = new ArrayList<>();
        int npos = 0;
        for (VocImage im : images) {
            List<VocObject> objs = im.objects().stream().filter(o -> o.label() == label).toList();
            recs.add(objs);
            detected.add(new boolean[objs.size()]);
            npos += (int) objs.stream().filter(o -> !o.difficult()).count();
        }
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < dets.size(); i++) {
            if (dets.get(i).label() == label) {
                mine.add(i);
            }
        }
        int nd = mine.size();
        int[] order = mine.stream().mapToInt(Integer::intValue).toArray();
        double[] score = new double[dets.size()];
        for (int i : order) {
            score[i] = dets.get(i).score();
        }
        ScoreOrder.sortDescending(order, 0, nd, score);
        double[] recall = new double[nd];
        double[] precision = new double[nd];
        double tp = 0;
        double fp = 0;
        for (int k = 0; k < nd; k++) {
            VocDetection d = dets.get(order[k]);
            List<VocObject> objs = recs.get(detImage[order[k]]);
            double ovmax = Double.NEGATIVE_INFINITY;
            int jmax = -1;
            for (int j = 0; j < objs.size(); j++) {
                VocObject o = objs.get(j);
                double ov = Boxes.vocIouFloat64(d.x1(), d.y1(), d.x2(), d.y2(), o.xmin(), o.ymin(), o.xmax(), o.ymax());
                if (ov > ovmax) {
                    ovmax = ov;
                    jmax = j;
                }
            }
            if (ovmax > iouThr) {
                if (!objs.get(jmax).difficult()) {
                    boolean[] seen = detected.get(detImage[order[k]]);
                    if (!seen[jmax]) {
                        tp += 1;
                        seen[jmax] = true;
                    } else {
                        fp += 1;
                    }
                }
            } else {
                fp += 1;
            }
            recall[k] = tp / npos;
            precision[k] = tp / Math.max(tp + fp, Math.ulp(1.0));
        }
        double ap = metric == VocEvaluator.Metric.ELEVEN_POINT ? elevenPoint(recall, precision) : area(recall, precision);
        return new VocClassAp(name, ap, npos, nd, recall, precision);
    }

    /** {@code ap += p / 11} term by term, p the best precision at recall {@code >= t} (NaN recall never is). */
    private static double elevenPoint(double[] recall, double[] precision) {
        double ap = 0.0;
        for (int k = 0; k <= 10; k++) {
            double thr = VocEvaluator.elevenPointThreshold(k);
            double p = 0.0;
            boolean any = false;
            for (int i = 0; i < recall.length; i++) {
                if (recall[i] >= thr && (!any || precision[i] > p)) {
                    p = precision[i];
                    any = true;
                }
            }
            ap = ap + p / 11.0;
        }
        return ap;
    }

    private static double area(double[] recall, double[] precision) {
        int n = recall.length;
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        System.arraycopy(recall, 0, mrec, 1, n);
        System.arraycopy(precision, 0, mpre, 1, n);
        mrec[n + 1] = 1.0;
        return areaUnderEnvelope(mrec, mpre);
    }

    /**
     * VOC2010+ AP from {@code mrec = [0, rec..., 1]}, {@code mpre = [0, prec..., 0]}: precision made
     * non-increasing from the right, then the sum of {@code (mrec[i+1] - mrec[i]) * mpre[i+1]} where
     * recall changes, summed pairwise as {@code np.sum}. mpre is modified.
     */
    static double areaUnderEnvelope(double[] mrec, double[] mpre) {
        for (int i = mpre.length - 1; i > 0; i--) {
            mpre[i - 1] = Math.max(mpre[i - 1], mpre[i]);
        }
        double[] terms = new double[mrec.length];
        int n = 0;
        for (int i = 0; i + 1 < mrec.length; i++) {
            if (mrec[i + 1] != mrec[i]) {
                terms[n++] = (mrec[i + 1] - mrec[i]) * mpre[i + 1];
            }
        }
        return NumpySum.pairwise(terms, 0, n);
    }
}
