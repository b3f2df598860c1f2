package org.aligndet.trainer.pretrain;

import ai.djl.ndarray.NDArray;
import org.aligndet.bridge.torch.GradMode;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.PositiveTargets;
import org.aligndet.trainer.family.RegressionLoss;
import org.aligndet.trainer.family.Stage;
import org.aligndet.trainer.loss.BoxContrastiveLoss;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.Projector;
import org.aligndet.trainer.run.StepSections;

/**
 * AlignDet's box-domain objective for one batch: the box contrastive loss between the online
 * detector (view 1) and the momentum detector (view 2), plus the detector's own regression losses
 * on view 1's positives ({@link DenseFamily#regressionLoss} for {@link Stage#PRETRAIN}: RetinaNet L1
 * on deltas; FCOS IoU loss weighted by centre-ness targets and centre-ness BCE).
 *
 * <p>{@code loss_contrastive}: q = online projector at view 1's sampled priors, k = momentum projector
 * at view 2's (no gradient), paired by proposal id, τ from the recipe. Every term has weight 1, as
 * the detectors' defaults.
 */
public final class AlignDetObjective {
    private final DenseFamily family;
    private final BoxContrastiveLoss contrastive;
    private final RegressionLoss regression;
    private final Pretext pretext;

    public AlignDetObjective(DenseFamily family, double temperature) {
        this(family, temperature, Pretext.BOTH);
    }

    /** @param pretext which terms to optimise (the paper's ablation); the other terms are left out */
    public AlignDetObjective(DenseFamily family, double temperature, Pretext pretext) {
        this.family = family;
        this.contrastive = new BoxContrastiveLoss(temperature);
        this.regression = family.regressionLoss(Stage.PRETRAIN);
        this.pretext = pretext;
    }

    /**
     * The momentum side's embeddings of its sampled priors, {@code [N, D]} without gradient, or null
     * when no term needs them (no contrastive term, no diagnostics). Taken first, so that the caller
     * can free the momentum detector's outputs before the loss and backward run.
     */
    public NDArray momentumKeys(HeadOutputs momentum, ViewTargets t2, Projector momentumProjector, boolean diagnose) {
        if (!pretext.contrastive() && !diagnose) {
            return null;
        }
        long mark = StepSections.mark();
        try (GradMode g = GradMode.off()) {
            return momentumProjector.embed(momentum.clsFeats(), momentum.layout(), t2.images(), t2.priors());
        } finally {
            StepSections.lap("losses_keys", mark); // the parts of "losses", for the step bench
        }
    }

    /**
     * The loss terms, from the momentum keys of {@link #momentumKeys} ({@code k}); when
     * {@code diagnostics} is given, also the contrastive head's retrieval top-1 and mean positive and
     * negative cosines ({@code contrast_top1}, {@code cos_pos}, {@code cos_neg}), which need the keys too.
     */
    public LossTerms compute(HeadOutputs online, ViewTargets t1, Projector onlineProjector, NDArray k, ViewTargets t2,
                             java.util.Map<String, Double> diagnostics) {
        LossTerms terms = new LossTerms();
        if (k != null) {
            contrast(online, t1, onlineProjector, k, t2, diagnostics, terms);
        }
        if (pretext.regression()) {
            long mark = StepSections.mark();
            // normalised as the detector's own head normalises (RetinaNet: sum over images of max(positives, 1))
            PositiveTargets pos = family.positives(online.layout(), t1.positiveImages(), t1.positivePriors(), t1.regression());
            regression.compute(online, pos, family.avgFactor(t1.positivesPerImage())).terms().forEach(terms::put);
            StepSections.lap("losses_regression", mark);
        }
        return terms;
    }

    private void contrast(HeadOutputs online, ViewTargets t1, Projector onlineProjector, NDArray k, ViewTargets t2,
                          java.util.Map<String, Double> diagnostics, LossTerms terms) {
        // q: [M, D] with gradient; k: [N, D] without (stop-gradient on the momentum side)
        long mark = StepSections.mark();
        NDArray q = onlineProjector.embed(online.clsFeats(), online.layout(), t1.images(), t1.priors());
        mark = StepSections.lap("losses_projector", mark);
        if (pretext.contrastive()) {
            terms.put("loss_contrastive", contrastive.compute(q, t1.ids(), k, t2.ids()));
            StepSections.lap("losses_contrastive", mark);
        }
        if (diagnostics != null) {
            BoxContrastiveLoss.Diagnostics d = BoxContrastiveLoss.diagnose(q, t1.ids(), k, t2.ids());
            diagnostics.put("contrast_top1", d.top1());
            diagnostics.put("cos_pos", d.positiveCosine());
            diagnostics.put("cos_neg", d.negativeCosine());
        }
    }
}
