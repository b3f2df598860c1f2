package org.aligndet.trainer.detect;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.aligndet.trainer.bench.StepBench;
import org.aligndet.trainer.family.TwoStageFamily;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.mask.MaskGeometry;
import org.aligndet.trainer.mask.MaskLoss;
import org.aligndet.trainer.mask.MaskTargets;
import org.aligndet.trainer.mask.Rle;
import org.aligndet.trainer.model.TwoStageDetector;
import org.aligndet.trainer.model.TwoStageDetector.RoiOutputs;
import org.aligndet.trainer.model.TwoStageDetector.RpnOutputs;
import org.aligndet.trainer.twostage.Proposals;
import org.aligndet.trainer.twostage.RoiExtractor;
import org.aligndet.trainer.twostage.RoiHeadLoss;
import org.aligndet.trainer.twostage.RoiTargets;
import org.aligndet.trainer.twostage.RpnLoss;
import org.aligndet.trainer.twostage.RpnProposals;

/**
 * The supervised step of a two-stage detector (mmdetection 2.x Faster R-CNN): backbone, neck and RPN
 * with gradients; the RPN's loss on the labelled boxes ({@link RpnLoss}, 256 anchors at 0.5); the
 * RPN's own proposals (detached; training settings) plus the boxes assigned and sampled
 * ({@link RoiTargets}, 512 at 0.25); their features pooled by {@link RoiExtractor}; the RoI head and
 * classifier; {@link RoiHeadLoss}. The family's rules are the same ones pre-training uses.
 */
public final class TwoStageSupervised {
    private final TwoStageFamily family;
    private final TwoStageDetector detector;
    private final RpnLoss rpnLoss;
    private final RoiTargets roiTargets;
    private final RoiExtractor extractor;
    private final RoiHeadLoss roiLoss;
    private final RpnProposals proposals;
    private final RoiExtractor maskExtractor;
    private final MaskTargets maskTargets;
    private final MaskLoss maskLoss = new MaskLoss();

    /**
     * One image's ground-truth masks for Mask R-CNN.
     *
     * @param gt       per box of its {@link GtBoxes}, in the same order, the mask in the original image's frame
     * @param geometry how the view was made from the original image (resize, flip, padding)
     */
    public record ImageMasks(List<Rle> gt, MaskGeometry geometry) {
    }

    public TwoStageSupervised(TwoStageFamily family, TwoStageDetector detector) {
        this.family = family;
        this.detector = detector;
        this.rpnLoss = new RpnLoss(family.rpnTargets());
        this.roiTargets = family.roiTargets();
        this.extractor = family.boxExtractor();
        this.roiLoss = new RoiHeadLoss(family.numClasses());
        this.proposals = family.proposals(true);
        this.maskExtractor = family.hasMasks() ? family.maskExtractor() : null;
        this.maskTargets = family.hasMasks() ? new MaskTargets(family.maskSize(), family.maskSize(), true) : null;
    }

    /**
     * @param images normalised {@code [N, 3, H, W]}
     * @param gts    per image, in the input's pixels (crowd and ignored boxes left out)
     * @param valid  per image {@code {height, width}} of its pixels before padding (proposals are clipped to it)
     * @param masks  per image its ground-truth masks (Mask R-CNN: {@code loss_mask}), or {@code null}
     * @param logged filled with {@code rpn_positives}, {@code proposals} and {@code roi_positives} per image
     */
    public LossTerms compute(NDArray images, List<GtBoxes> gts, int[][] valid, List<ImageMasks> masks, SplittableRandom rng,
                             Map<String, Double> logged) {
        if ((masks != null) != (maskExtractor != null)) {
            throw new IllegalArgumentException(masks == null ? "the mask head needs ground-truth masks" : "masks given to a detector without a mask head");
        }
        int n = gts.size();
        RpnOutputs rpn = detector.rpn(images, true, true);
        List<float[]> boxes = gts.stream().map(GtBoxes::xyxy).toList();
        int[] rpnPos = new int[1];
        LossTerms terms = rpnLoss.compute(rpn, boxes, rng, rpnPos);
        List<RpnProposals.Result> props = Proposals.of(rpn, family.anchorGenerator(), proposals, valid);
        long[] seeds = rng.longs(n).toArray();
        RoiTargets.Image[] t = IntStream.range(0, n).parallel()
                .mapToObj(b -> roiTargets.targets(props.get(b).boxes(), gts.get(b).xyxy(), gts.get(b).labels(),
                        new SplittableRandom(seeds[b])))
                .toArray(RoiTargets.Image[]::new);
        List<float[]> sampled = new ArrayList<>(n);
        int k = 0, p = 0, proposalCount = 0;
        for (int b = 0; b < n; b++) {
            sampled.add(t[b].rois());
            k += t[b].size();
            p += t[b].numPos();
            proposalCount += props.get(b).size();
        }
        int[] labels = new int[k];
        int[] posRows = new int[p];
        int[] posLabels = new int[p];
        float[] posTargets = new float[4 * p];
        int row = 0, q = 0;
        for (RoiTargets.Image img : t) {
            for (int i = 0; i < img.size(); i++, row++) {
                labels[row] = img.labels()[i];
                if (i < img.numPos()) {
                    posRows[q] = row;
                    posLabels[q] = img.labels()[i];
                    System.arraycopy(img.posTargets(), 4 * i, posTargets, 4 * q, 4);
                    q++;
                }
            }
        }
        logged.put("rpn_positives", rpnPos[0] / (double) n);
        logged.put("proposals", proposalCount / (double) n);
        logged.put("roi_positives", p / (double) n);
        NDArray pooled = extractor.apply(rpn.pyramid(), Proposals.rois(sampled));
        RoiOutputs roi = detector.roiHead(pooled, true);
        NDArray logits = detector.classify(roi.features(), true);
        terms.put(RoiHeadLoss.LOSS_CLS, roiLoss.classification(logits, labels));
        terms.put(RoiHeadLoss.LOSS_BBOX, roiLoss.regression(roi.deltas(), posRows, posLabels, posTargets, k));
        if (masks != null) {
            terms.put(LOSS_MASK, maskLoss(rpn, t, masks, posLabels));
        }
        return terms;
    }

    public static final String LOSS_MASK = "loss_mask";

    /**
     * mmdetection's mask branch in training: the positive RoIs pooled 14x14, the mask head's logits of
     * each RoI's class against its gt mask cropped and resized to 28x28 ({@link MaskTargets}).
     */
    private NDArray maskLoss(RpnOutputs rpn, RoiTargets.Image[] t, List<ImageMasks> masks, int[] posLabels) {
        int n = t.length;
        float[][] perImage = IntStream.range(0, n).parallel().mapToObj(b -> {
            int p = t[b].numPos();
            return maskTargets.compute(masks.get(b).gt(), masks.get(b).geometry(), java.util.Arrays.copyOf(t[b].rois(), 4 * p),
                    t[b].posGt());
        }).toArray(float[][]::new);
        List<float[]> posBoxes = new ArrayList<>(n);
        int total = 0;
        for (int b = 0; b < n; b++) {
            posBoxes.add(java.util.Arrays.copyOf(t[b].rois(), 4 * t[b].numPos()));
            total += perImage[b].length;
        }
        float[] targets = new float[total];
        int at = 0;
        for (float[] f : perImage) {
            System.arraycopy(f, 0, targets, at, f.length);
            at += f.length;
        }
        NDArray pooled = maskExtractor.apply(rpn.pyramid(), Proposals.rois(posBoxes));
        return maskLoss.compute(detector.maskHead(pooled, true), posLabels, targets);
    }

    /**
     * The graph calls of {@link #compute} alone, for the step benchmark: backbone, neck and RPN with
     * history, then the RoI head and classifier on {@code rois} RoIs per image pooled from fixed boxes.
     */
    public NDArray graphOnly(NDArray images, int roisPerImage) {
        RpnOutputs rpn = detector.rpn(images, true, true);
        RoiOutputs roi = detector.roiHead(extractor.apply(rpn.pyramid(), StepBench.gridRois(images, roisPerImage)), true);
        List<NDArray> outs = new ArrayList<>(rpn.objectness());
        outs.addAll(rpn.deltas());
        outs.add(roi.deltas());
        outs.add(detector.classify(roi.features(), true));
        return StepBench.trivialLoss(outs);
    }
}
