package org.aligndet.export.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.data.VocObject;

/**
 * PASCAL VOC detection AP per class and mAP, with VOC's +1 pixel convention.
 *
 * <p>Two reference semantics ({@link Semantics}) and two metrics ({@link Metric}): the VOC2007
 * 11-point AP and the VOC2010+ area under the (enveloped) precision/recall curve. Inputs are
 * checked where they enter: unknown image ids or labels, NaN scores and boxes with negative
 * width are an {@link EvalInputException} listing a count and examples.
 */
public final class VocEvaluator {

    /** Whose arithmetic and rules to follow. */
    public enum Semantics {
        /**
         * mmdetection {@code eval_map(use_legacy_coordinate=True)}: float32 IoU and precision,
         * match if IoU {@code >= thr} against the best object among {@code [non-difficult...,
         * difficult...]}, AP accumulated in float32, mAP over classes that have objects.
         */
        MMDETECTION,
        /**
         * detectron2 / py-faster-rcnn {@code voc_eval}: float64, match if IoU {@code > thr}
         * against the best object in XML order, mAP over all classes.
         */
        DETECTRON2
    }

    /** How AP summarises the precision/recall curve. */
    public enum Metric {
        /** VOC2007: mean of the best precision at recall {@code >= 0, 0.1, ..., 1} (as {@code np.arange}). */
        ELEVEN_POINT,
        /** VOC2010 and later: area under the precision envelope over all recall points. */
        AREA
    }

    private final Semantics semantics;
    private final Metric metric;
    private final double iouThreshold;

    /** VOC07 as mmdetection computes it: 11-point, IoU 0.5. */
    public VocEvaluator() {
        this(Semantics.MMDETECTION, Metric.ELEVEN_POINT, 0.5);
    }

    public VocEvaluator(Semantics semantics, Metric metric, double iouThreshold) {
        this.semantics = semantics;
        this.metric = metric;
        this.iouThreshold = iouThreshold;
    }

    /**
     * Evaluates detections against the images' objects. Images without detections count; a
     * detection must name one of {@code images}.
     */
    public VocResult evaluate(List<String> classes, List<VocImage> images, List<VocDetection> detections) {
        Map<String, Integer> imageIndex = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            if (imageIndex.put(images.get(i).id(), i) != null) {
                throw new EvalInputException("VOC image id '" + images.get(i).id() + "' is listed twice");
            }
        }
        int[] detImage = validate(classes, images, detections, imageIndex);
        List<VocClassAp> perClass = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            perClass.add(semantics == Semantics.MMDETECTION
                    ? VocMmdetClass.evaluate(classes.get(c), c, images, detections, detImage, iouThreshold, metric)
                    : VocDetectron2Class.evaluate(classes.get(c), c, images, detections, detImage, iouThreshold, metric));
        }
        return new VocResult(semantics, metric, iouThreshold, perClass, meanAp(perClass));
    }

    private double meanAp(List<VocClassAp> perClass) {
        if (semantics == Semantics.DETECTRON2) {
            double[] aps = perClass.stream().mapToDouble(VocClassAp::ap).toArray();
            return aps.length == 0 ? 0.0 : NumpySum.mean(aps, aps.length);
        }
        // np.array(float32 aps).mean(): a float32 pairwise sum divided in float32
        float[] aps = new float[perClass.size()];
        int n = 0;
        for (VocClassAp c : perClass) {
            if (c.numGts() > 0) {
                aps[n++] = (float) c.ap();
            }
        }
        return n == 0 ? 0.0 : (double) (NumpySum.pairwise(aps, 0, n) / (float) n);
    }

    private static int[] validate(List<String> classes, List<VocImage> images, List<VocDetection> dets, Map<String, Integer> imageIndex) {
        int[] detImage = new int[dets.size()];
        List<String> problems = new ArrayList<>();
        int numProblems = 0;
        for (int i = 0; i < dets.size(); i++) {
            VocDetection d = dets.get(i);
            Integer img = imageIndex.get(d.imageId());
            String problem = null;
            if (img == null) {
                problem = "unknown image id '" + d.imageId() + "'";
            } else if (d.label() < 0 || d.label() >= classes.size()) {
                problem = "label " + d.label() + " outside 0.." + (classes.size() - 1);
            } else if (Double.isNaN(d.score()) || Double.isInfinite(d.score())) {
                problem = "score " + d.score();
            } else if (!(Double.isFinite(d.x1()) && Double.isFinite(d.y1()) && Double.isFinite(d.x2()) && Double.isFinite(d.y2()))) {
                problem = "non-finite box";
            } else if (d.x2() - d.x1() + 1 < 0 || d.y2() - d.y1() + 1 < 0) {
                problem = "negative width or height (x1 " + d.x1() + ", y1 " + d.y1() + ", x2 " + d.x2() + ", y2 " + d.y2() + ")";
            }
            if (problem != null) {
                if (numProblems++ < 5) {
                    problems.add("#" + i + ": " + problem);
                }
            } else {
                detImage[i] = img;
            }
        }
        for (VocImage im : images) {
            for (VocObject o : im.objects()) {
                if (o.label() < 0 || o.label() >= classes.size()) {
                    throw new EvalInputException("VOC image '" + im.id() + "' has an object with label " + o.label() + " outside 0.." + (classes.size() - 1));
                }
            }
        }
        if (numProblems > 0) {
            throw new EvalInputException(numProblems + " VOC detections cannot be evaluated, e.g. " + String.join("; ", problems));
        }
        return detImage;
    }

    /** {@code np.arange(0, 1 + 1e-3, 0.1)} (and {@code np.arange(0.0, 1.1, 0.1)}): {@code i * 0.1}, so 0.30000000000000004. */
    static double elevenPointThreshold(int i) {
        return i * 0.1;
    }
}
