package org.aligndet.trainer.pretrain;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.aligndet.bridge.torch.GradMode;
import org.aligndet.trainer.augment.BoxList;
import org.aligndet.trainer.bench.StepBench;
import org.aligndet.trainer.family.Stage;
import org.aligndet.trainer.family.TwoStageFamily;
import org.aligndet.trainer.loss.BoxContrastiveLoss;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.model.Projector;
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
 * AlignDet's box-domain objective for a two-stage detector, as its released Faster/Mask R-CNN recipe:
 * <ol>
 *   <li>the RPN learns the selective-search proposals as objects ({@link RpnLoss} with the family's
 *       pre-training targets: max-IoU 0.7 / 0.3, up to {@code sample_boxes} anchors (AlignDet 4096) with
 *       every positive; BCE + L1);</li>
 *   <li>each detector's own RPN proposals (training settings, detached), with the view's proposals
 *       added, are assigned to the view's proposals at IoU 0.5 and up to {@code sample_boxes} positives are kept
 *       ({@link TwoStageFamily#roiTargets} for {@link Stage#PRETRAIN});</li>
 *   <li>{@code loss_bbox}: the online RoI head's deltas regress onto the assigned proposals
 *       ({@link RoiHeadLoss#regressionAllClasses});</li>
 *   <li>{@code loss_contrastive}: the Java projector (Linear F→F, ReLU, Linear F→D) on the shared fc
 *       features; online RoIs of view 1 against momentum RoIs of view 2, paired by proposal id
 *       ({@link BoxContrastiveLoss}).</li>
 * </ol>
 * The momentum detector runs without history. {@code loss_rpn_cls} and {@code loss_rpn_bbox} keep
 * mmdetection's names.
 */
final class TwoStagePretext {
    private final TwoStageFamily family;
    private final TwoStageDetector online;
    private final TwoStageDetector momentum;
    private final RpnLoss rpnLoss;
    private final RoiTargets roiTargets;
    private final RoiExtractor extractor;
    private final RoiHeadLoss roiLoss;
    private final RpnProposals proposals;
    private final BoxContrastiveLoss contrastive;
    private final Pretext pretext;

    TwoStagePretext(TwoStageFamily family, TwoStageDetector online, TwoStageDetector momentum, int samples, double temperature,
                    Pretext pretext) {
        this.family = family;
        this.online = online;
        this.momentum = momentum;
        this.rpnLoss = new RpnLoss(family.rpnTargets(Stage.PRETRAIN, samples));
        this.roiTargets = family.roiTargets(Stage.PRETRAIN, samples);
        this.extractor = family.boxExtractor();
        this.roiLoss = new RoiHeadLoss(family.numClasses());
        this.proposals = family.proposals(true);
        this.contrastive = new BoxContrastiveLoss(temperature);
        this.pretext = pretext;
    }

    /** One view's sampled RoIs: rows {@code (image, xyxy)}, their proposal ids and regression targets. */
    record ViewRois(float[] rois, long[] ids, float[] targets, int proposals) {
        int size() {
            return ids.length;
        }
    }

    LossTerms compute(NDArray view1, List<BoxList> boxes1, int[][] valid1, NDArray view2, List<BoxList> boxes2,
                      int[][] valid2, boolean trainBackbone, Projector onlineProjector, Projector momentumProjector,
                      SplittableRandom rng, Map<String, Double> logged, boolean diagnose) {
        LossTerms terms = new LossTerms();
        RpnOutputs r1 = online.rpn(view1, true, trainBackbone);
        int[] rpnPos = new int[1];
        LossTerms rpn = rpnLoss.compute(r1, boxes1.stream().map(BoxList::xyxy).toList(), rng, rpnPos);
        if (pretext.regression()) {
            rpn.terms().forEach(terms::put);
        }
        ViewRois t1 = sample(r1, boxes1, valid1, rng);
        RoiOutputs roi1 = online.roiHead(extractor.apply(r1.pyramid(), t1.rois()), true);
        if (pretext.regression()) {
            int[] rows = IntStream.range(0, t1.size()).toArray();
            terms.put(RoiHeadLoss.LOSS_BBOX, roiLoss.regressionAllClasses(roi1.deltas(), rows, t1.targets(), t1.size()));
        }
        NDArray q = onlineProjector.embedRows(roi1.features());
        NDArray k;
        ViewRois t2;
        try (GradMode g = GradMode.off()) {
            RpnOutputs r2 = momentum.rpn(view2, false, false);
            t2 = sample(r2, boxes2, valid2, rng);
            RoiOutputs roi2 = momentum.roiHead(extractor.apply(r2.pyramid(), t2.rois()), false);
            k = momentumProjector.embedRows(roi2.features());
        }
        if (pretext.contrastive()) {
            terms.put("loss_contrastive", contrastive.compute(q, t1.ids(), k, t2.ids()));
        }
        int n = boxes1.size();
        logged.put("rpn_positives", rpnPos[0] / (double) n);
        logged.put("proposals", t1.proposals() / (double) n);
        logged.put("positives", t1.size() / (double) n);
        if (diagnose) {
            BoxContrastiveLoss.Diagnostics d = BoxContrastiveLoss.diagnose(q, t1.ids(), k, t2.ids());
            logged.put("contrast_top1", d.top1());
            logged.put("cos_pos", d.positiveCosine());
            logged.put("cos_neg", d.negativeCosine());
        }
        return terms;
    }

    /** The RPN's proposals of a view assigned to the view's selective-search boxes and sampled. */
    private ViewRois sample(RpnOutputs rpn, List<BoxList> boxes, int[][] valid, SplittableRandom rng) {
        int n = boxes.size();
        List<RpnProposals.Result> props = Proposals.of(rpn, family.anchorGenerator(), proposals, valid);
        long[] seeds = rng.longs(n).toArray();
        RoiTargets.Image[] t = IntStream.range(0, n).parallel()
                .mapToObj(b -> roiTargets.targets(props.get(b).boxes(), boxes.get(b).xyxy(), new int[boxes.get(b).size()],
                        new SplittableRandom(seeds[b])))
                .toArray(RoiTargets.Image[]::new);
        List<float[]> perImage = new ArrayList<>(n);
        int total = 0, proposalCount = 0;
        for (int b = 0; b < n; b++) {
            perImage.add(java.util.Arrays.copyOf(t[b].rois(), 4 * t[b].numPos()));
            total += t[b].numPos();
            proposalCount += props.get(b).size();
        }
        long[] ids = new long[total];
        float[] targets = new float[4 * total];
        int r = 0;
        for (int b = 0; b < n; b++) {
            long[] boxIds = boxes.get(b).ids();
            for (int i = 0; i < t[b].numPos(); i++, r++) {
                ids[r] = ViewTargets.instanceId(b, boxIds[t[b].posGt()[i]]);
                System.arraycopy(t[b].posTargets(), 4 * i, targets, 4 * r, 4);
            }
        }
        return new ViewRois(Proposals.rois(perImage), ids, targets, proposalCount);
    }

    /** The graph calls alone, for the step benchmark: both detectors' RPNs and RoI heads on fixed RoIs. */
    NDArray graphOnly(NDArray view1, NDArray view2, boolean trainBackbone, int roisPerImage) {
        RpnOutputs r1 = online.rpn(view1, true, trainBackbone);
        float[] rois = StepBench.gridRois(view1, roisPerImage);
        RoiOutputs roi1 = online.roiHead(extractor.apply(r1.pyramid(), rois), true);
        try (GradMode g = GradMode.off()) {
            RpnOutputs r2 = momentum.rpn(view2, false, false);
            momentum.roiHead(extractor.apply(r2.pyramid(), StepBench.gridRois(view2, roisPerImage)), false);
        }
        List<NDArray> outs = new ArrayList<>(r1.objectness());
        outs.addAll(r1.deltas());
        outs.add(roi1.deltas());
        outs.add(roi1.features());
        return StepBench.trivialLoss(outs);
    }
}
