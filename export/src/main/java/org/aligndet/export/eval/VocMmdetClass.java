package org.aligndet.export.eval;

import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.box.Boxes;
import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.data.VocObject;

/**
 * One class under mmdetection {@code eval_map} semantics ({@code tpfp_default} and
 * {@code average_precision}), with its float32 arithmetic emulated: boxes and scores are float32,
 * IoU and precision are float32, recall is float64, AP is accumulated in float32.
 */
final class VocMmdetClass {
    private VocMmdetClass() {
    }

    static VocClassAp evaluate(String name, int label, List<VocImage> images, List<VocDetection> dets, int[] detImage,
                               double iouThr, VocEvaluator.Metric metric) {
        List<List<Integer>> perImage = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            perImage.add(new ArrayList<>());
        }
        for (int i = 0; i < dets.size(); i++) {
            if (dets.get(i).label() == label) {
                perImage.get(detImage[i]).add(i);
            }
        }
        // detections concatenated image by image, as np.vstack(cls_dets)
        int numDets = 0;
        for (List<Integer> l : perImage) {
            numDets += l.size();
        }
        int[] all = new int[numDets];
        float[] tp = new float[numDets];
        float[] fp = new float[numDets];
        double[] score = new double[numDets];
        int numGts = 0;
        int pos = 0;
        for (int i = 0; i < images.size(); i++) {
            List<VocObject> objects = objectsIgnoredLast(images.get(i), label);
            for (VocObject o : objects) {
                numGts += o.difficult() ? 0 : 1;
            }
            int start = pos;
            for (int d : perImage.get(i)) {
                all[pos] = d;
                score[pos] = (float) dets.get(d).score();
                pos++;
            }
            tpfp(dets, all, start, pos, objects, (float) iouThr, score, tp, fp);
        }
        int[] order = new int[numDets];
        for (int i = 0; i < numDets; i++) {
            order[i] = i;
        }
        ScoreOrder.sortDescending(order, 0, numDets, score);
        double[] recall = new double[numDets];
        double[] precision = new double[numDets];
        float ctp = 0f;
        float cfp = 0f;
        double gtFloor = Math.max(numGts, (double) Boxes.FLOAT32_EPS);
        for (int i = 0; i < numDets; i++) {
            ctp += tp[order[i]];
            cfp += fp[order[i]];
            recall[i] = ctp / gtFloor;
            precision[i] = ctp / Math.max(ctp + cfp, Boxes.FLOAT32_EPS);
        }
        float ap = metric == VocEvaluator.Metric.ELEVEN_POINT ? elevenPoint(recall, precision) : area(recall, precision);
        return new VocClassAp(name, ap, numGts, numDets, recall, precision);
    }

    /** The class's objects as {@code [non-difficult..., difficult...]}, each part in XML order. */
    private static List<VocObject> objectsIgnoredLast(VocImage image, int label) {
        List<VocObject> out = new ArrayList<>();
        for (boolean difficult : new boolean[]{false, true}) {
            for (VocObject o : image.objects()) {
                if (o.label() == label && o.difficult() == difficult) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    /** tpfp_default for one image's detections {@code all[from, to)}: flags written at the same positions. */
    private static void tpfp(List<VocDetection> dets, int[] all, int from, int to, List<VocObject> objects, float thr,
                             double[] score, float[] tp, float[] fp) {
        if (objects.isEmpty()) {
            for (int i = from; i < to; i++) {
                fp[i] = 1f;
            }
            return;
        }
        int[] order = new int[to - from];
        for (int i = 0; i < order.length; i++) {
            order[i] = from + i;
        }
        ScoreOrder.sortDescending(order, 0, order.length, score);
        boolean[] covered = new boolean[objects.size()];
        for (int i : order) {
            VocDetection d = dets.get(all[i]);
            float best = -1f;
            int arg = -1;
            for (int g = 0; g < objects.size(); g++) {
                VocObject o = objects.get(g);
                float iou = Boxes.vocIouFloat32((float) d.x1(), (float) d.y1(), (float) d.x2(), (float) d.y2(),
                        (float) o.xmin(), (float) o.ymin(), (float) o.xmax(), (float) o.ymax());
                if (iou > best) {
                    best = iou;
                    arg = g;
                }
            }
            if (best >= thr) {
                if (!objects.get(arg).difficult()) {
                    if (!covered[arg]) {
                        covered[arg] = true;
                        tp[i] = 1f;
                    } else {
                        fp[i] = 1f;
                    }
                }
            } else {
                fp[i] = 1f;
            }
        }
    }

    private static float elevenPoint(double[] recall, double[] precision) {
        float ap = 0f;
        for (int k = 0; k <= 10; k++) {
            double thr = VocEvaluator.elevenPointThreshold(k);
            float best = 0f;
            boolean any = false;
            for (int i = 0; i < recall.length; i++) {
                if (recall[i] >= thr && (!any || (float) precision[i] > best)) {
                    best = (float) precision[i];
                    any = true;
                }
            }
            ap += best;
        }
        return ap / 11f;
    }

    /** mode 'area': float64 envelope over {@code [0, recall, 1]} / {@code [0, precision, 0]}, the sum stored as float32. */
    private static float area(double[] recall, double[] precision) {
        int n = recall.length;
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        System.arraycopy(recall, 0, mrec, 1, n);
        System.arraycopy(precision, 0, mpre, 1, n);
        mrec[n + 1] = 1.0;
        return (float) VocDetectron2Class.areaUnderEnvelope(mrec, mpre);
    }
}
