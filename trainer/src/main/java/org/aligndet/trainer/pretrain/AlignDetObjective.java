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

    public AlignDetObjective(DenseFamily family, double temperature) {
        this.family = family;
        this.contrastive = new BoxContrastiveLoss(temperature);
        this.regression = family.regressionLoss(Stage.PRETRAIN);
    }

    public LossTerms compute(HeadOutputs online, ViewTargets t1, Projector onlineProjector,
                             HeadOutputs momentum, ViewTargets t2, Projector momentumProjector) {
        LossTerms terms = new LossTerms();
        // q: [M, D] with gradient; k: [N, D] without (stop-gradient on the momentum side)
        NDArray q = onlineProjector.embed(online.clsFeats(), online.layout(), t1.images(), t1.priors());
        NDArray k;
        try (GradMode g = GradMode.off()) {
            k = momentumProjector.embed(momentum.clsFeats(), momentum.layout(), t2.images(), t2.priors());
        }
        terms.put("loss_contrastive", contrastive.compute(q, t1.ids(), k, t2.ids()));
        int np = t1.positives();
        PositiveTargets pos = family.positives(online.layout(), t1.positiveImages(), t1.positivePriors(), t1.regression());
        regression.compute(online, pos, Math.max(np, 1)).terms().forEach(terms::put);
        return terms;
    }
}
