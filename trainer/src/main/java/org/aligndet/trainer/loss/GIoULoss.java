package org.aligndet.trainer.loss;

import org.aligndet.bridge.torch.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * {@code 1 - GIoU} per box pair (mmdetection's {@code GIoULoss}), then {@code sum(loss * weight) / avgFactor}.
 * Boxes xyxy {@code [N, 4]}, row-aligned; weight {@code [N]} or {@code null}.
 */
public final class GIoULoss {
    /** @return a scalar; {@code avgFactor > 0} */
    public NDArray compute(NDArray pred, NDArray target, NDArray weight, double avgFactor) {
        NDArray loss = Scalars.add(AlignedOverlaps.giou(pred, target).neg(), 1f);
        return Reduction.weightedSum(loss, weight, avgFactor);
    }
}
