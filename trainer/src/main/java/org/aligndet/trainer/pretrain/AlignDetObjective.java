package org.aligndet.trainer.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.aligndet.bridge.torch.GradMode;
import org.aligndet.trainer.assign.FcosAssigner;
import org.aligndet.trainer.loss.BceWithLogitsLoss;
import org.aligndet.trainer.loss.BoxContrastiveLoss;
import org.aligndet.trainer.loss.IoULoss;
import org.aligndet.trainer.loss.L1Loss;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.Projector;
import org.aligndet.trainer.spec.Family;

/**
 * AlignDet's box-domain objective for one batch: the box contrastive loss between the online
 * detector (view 1) and the momentum detector (view 2), plus the detector's own regression losses
 * on view 1's positives.
 *
 * <ul>
 *   <li>{@code loss_contrastive}: q = online projector at view 1's sampled priors, k = momentum
 *       projector at view 2's (no gradient), paired by proposal id, τ from the recipe.
 *   <li>RetinaNet {@code loss_bbox}: L1 on encoded deltas, averaged by the positives.
 *   <li>FCOS {@code loss_bbox}: IoU loss (log) on decoded boxes weighted by the centre-ness targets,
 *       averaged by their sum; {@code loss_centerness}: BCE, averaged by the positives.
 * </ul>
 * Every term has weight 1, as the detectors' defaults.
 */
public final class AlignDetObjective {
    private final Family family;
    private final BoxContrastiveLoss contrastive;
    private final L1Loss l1 = new L1Loss();
    private final IoULoss iou = new IoULoss();
    private final BceWithLogitsLoss bce = new BceWithLogitsLoss();

    public AlignDetObjective(Family family, double temperature) {
        this.family = family;
        this.contrastive = new BoxContrastiveLoss(temperature);
    }

    public LossTerms compute(HeadOutputs online, ViewTargets t1, Projector onlineProjector,
                             HeadOutputs momentum, ViewTargets t2, Projector momentumProjector) {
        NDManager m = online.clsFeats().get(0).getManager();
        LossTerms terms = new LossTerms();
        // q: [M, D] with gradient; k: [N, D] without (stop-gradient on the momentum side)
        NDArray q = onlineProjector.embed(online.clsFeats(), online.layout(), t1.images(), t1.priors());
        NDArray k;
        try (GradMode g = GradMode.off()) {
            k = momentumProjector.embed(momentum.clsFeats(), momentum.layout(), t2.images(), t2.priors());
        }
        terms.put("loss_contrastive", contrastive.compute(q, t1.ids(), k, t2.ids()));

        int np = t1.positives();
        double avg = Math.max(np, 1);
        NDArray boxFlat = HeadOutputs.flatten(online.boxOut(), 4);
        if (np == 0) {
            // keep the terms (and the graph) well-formed on a batch without positives
            NDArray zero = boxFlat.sum().mul(0f);
            terms.put("loss_bbox", zero);
            if (family == Family.FCOS) {
                terms.put("loss_centerness", zero);
            }
            return terms;
        }
        long[] rows = new long[np];
        for (int i = 0; i < np; i++) {
            rows[i] = online.layout().boxRow(t1.images()[i], t1.priors()[i]);
        }
        NDArray rowIdx = m.create(rows);
        NDArray pred = boxFlat.get(rowIdx);                                   // [P, 4]
        NDArray target = m.create(t1.regression(), new Shape(np, 4));       // [P, 4]
        if (family == Family.RETINANET) {
            terms.put("loss_bbox", l1.compute(pred, target, null, avg));
        } else {
            // boxes around a common origin: (-l, -t, r, b); IoU does not depend on the point
            NDArray sign = m.create(new float[] {-1, -1, 1, 1});
            float[] ctr = FcosAssigner.centerness(t1.regression());
            NDArray ctrTarget = m.create(ctr);
            double ctrSum = 0;
            for (float c : ctr) {
                ctrSum += c;
            }
            terms.put("loss_bbox", iou.compute(pred.mul(sign), target.mul(sign), ctrTarget, Math.max(ctrSum, 1e-6)));
            NDArray ctrLogits = HeadOutputs.flatten(online.centerness(), 1).get(rowIdx).reshape(-1);
            terms.put("loss_centerness", bce.compute(ctrLogits, ctrTarget, null, avg));
        }
        return terms;
    }
}
