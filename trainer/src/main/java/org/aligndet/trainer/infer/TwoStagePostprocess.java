package org.aligndet.trainer.infer;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.bridge.torch.GradMode;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.family.TwoStageFamily;
import org.aligndet.trainer.model.TwoStageDetector;
import org.aligndet.trainer.model.TwoStageDetector.RoiOutputs;
import org.aligndet.trainer.model.TwoStageDetector.RpnOutputs;
import org.aligndet.trainer.twostage.Proposals;
import org.aligndet.trainer.twostage.RoiExtractor;
import org.aligndet.trainer.twostage.RpnProposals;

/**
 * Detections of a two-stage detector, mmdetection 2.x test semantics, computing what its ONNX
 * template computes: the RPN's proposals with the test settings (top {@code nms_pre} per level, NMS
 * 0.7, {@code max_per_img}), clipped to the network input; RoIAlign on them; the RoI head; class
 * scores by softmax (background dropped); each proposal decoded once per class with that class's
 * deltas ({@link DeltaXYWHCoder}, stds 0.1 / 0.1 / 0.2 / 0.2), clipped to the input; then
 * {@link MultiClassNms} ({@code score_thr}, per-class NMS, {@code max_per_img}).
 */
public final class TwoStagePostprocess {
    private final TwoStageFamily family;
    private final PostprocessConfig cfg;
    private final MultiClassNms nms;
    private final RoiExtractor extractor;

    public TwoStagePostprocess(TwoStageFamily family, PostprocessConfig cfg) {
        this.family = family;
        this.cfg = cfg;
        this.nms = MultiClassNms.of(cfg);
        this.extractor = family.boxExtractor();
    }

    public PostprocessConfig config() {
        return cfg;
    }

    public TwoStagePostprocess withConfig(PostprocessConfig other) {
        return new TwoStagePostprocess(family, other);
    }

    /**
     * Detections per image in input pixels and, for Mask R-CNN, each detection's mask probabilities of its
     * own class ({@code float[D * S * S]} per image, {@code S} the mask head's output side), as the ONNX
     * template's {@code masks} output; {@code masks} is null without a mask head.
     */
    public record Result(List<Detections> detections, List<float[]> masks) {
    }

    /** Runs the detector (no history) on normalised images {@code [N, 3, h, w]}. */
    public Result detect(TwoStageDetector det, NDArray images) {
        long[] s = images.getShape().getShape();
        int n = (int) s[0], h = (int) s[2], w = (int) s[3];
        try (GradMode g = GradMode.off()) {
            RpnOutputs rpn = det.rpn(images, false, false);
            int[][] clip = new int[n][];
            for (int b = 0; b < n; b++) {
                clip[b] = new int[] {h, w};
            }
            List<RpnProposals.Result> props = Proposals.of(rpn, family.anchorGenerator(), family.proposals(false), clip);
            List<float[]> boxes = props.stream().map(RpnProposals.Result::boxes).toList();
            int total = props.stream().mapToInt(RpnProposals.Result::size).sum();
            List<Detections> out = new ArrayList<>(n);
            if (total == 0) {
                for (int b = 0; b < n; b++) {
                    out.add(Detections.empty("", Detections.NO_ID));
                }
                return new Result(out, family.hasMasks() ? java.util.Collections.nCopies(n, new float[0]) : null);
            }
            RoiOutputs roi = det.roiHead(extractor.apply(rpn.pyramid(), Proposals.rois(boxes)), false);
            float[] probs;
            try (NDArray logits = det.classify(roi.features(), false); NDArray p = logits.softmax(1)) {
                probs = p.toFloatArray();
            }
            float[] deltas = roi.deltas().toFloatArray();
            int c = family.numClasses();
            int from = 0;
            for (int b = 0; b < n; b++) {
                int m = props.get(b).size();
                out.add(decode(props.get(b).boxes(), probs, deltas, from, m, c, h, w));
                from += m;
            }
            return new Result(out, family.hasMasks() ? masks(det, rpn, out) : null);
        }
    }

    /** The mask head on the detections' boxes: each one's own class, sigmoid, {@code [D, S, S]} per image. */
    private List<float[]> masks(TwoStageDetector det, RpnOutputs rpn, List<Detections> dets) {
        int s = family.maskSize();
        List<float[]> boxes = dets.stream().map(Detections::boxes).toList();
        int total = dets.stream().mapToInt(Detections::size).sum();
        List<float[]> out = new ArrayList<>(dets.size());
        if (total == 0) {
            dets.forEach(d -> out.add(new float[0]));
            return out;
        }
        float[] logits;
        try (NDArray m = det.maskHead(family.maskExtractor().apply(rpn.pyramid(), Proposals.rois(boxes)), false)) {
            logits = m.toFloatArray(); // [total, C, S, S]
        }
        int c = family.numClasses();
        int row = 0;
        for (Detections d : dets) {
            float[] probs = new float[d.size() * s * s];
            for (int i = 0; i < d.size(); i++, row++) {
                int from = (row * c + d.labels()[i]) * s * s;
                for (int k = 0; k < s * s; k++) {
                    probs[i * s * s + k] = (float) (1 / (1 + Math.exp(-logits[from + k])));
                }
            }
            out.add(probs);
        }
        return out;
    }

    /** One image's RoIs {@code [from, from + m)} of the batch's head outputs. */
    Detections decode(float[] proposals, float[] probs, float[] deltas, int from, int m, int c, int h, int w) {
        float[] priors = new float[m * c * 4];
        float[] d = new float[m * c * 4];
        float[] scores = new float[m * c];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < c; k++) {
                System.arraycopy(proposals, 4 * i, priors, 4 * (i * c + k), 4);
                scores[i * c + k] = probs[(from + i) * (c + 1) + k];
            }
            System.arraycopy(deltas, (from + i) * 4 * c, d, 4 * i * c, 4 * c);
        }
        float[] boxes = family.roiCoder().decode(priors, d, w, h);
        return nms.applyClassBoxes(boxes, scores, m, c);
    }
}
