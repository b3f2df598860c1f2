package org.aligndet.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * {@code 1 - GIoU} per box pair (mmdetection's {@code GIoULoss}), then {@code sum(loss * weight) / avgFactor}.
 * Boxes xyxy {@code [N, 4]}, row-aligned; weight {@code [N]} or {@code null}.
 */
public final class GIoULoss {
    /** @return a scalar; {@code avgFactor > 0} */
    public NDArray compute(NDArray pred, NDArray target, NDArray weight, double avgFactor) {
        NDArray loss = AlignedOverlaps.giou(pred, target).neg().add(1f);
        return Reduction.weightedSum(loss, weight, avgFactor);
    }
}
