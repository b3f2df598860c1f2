package org.aligndet.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * mmdetection's {@code IoULoss} in mode {@code log}: {@code -log(max(iou, EPS))} per box pair, then
 * {@code sum(loss * weight) / avgFactor}. Boxes xyxy {@code [N, 4]}, row-aligned; weight {@code [N]}
 * (FCOS: the centre-ness targets).
 */
public final class IoULoss {
    /** Lower bound on the IoU inside the log. */
    public static final float EPS = 1e-6f;

    /** @return a scalar; {@code weight} may be {@code null}; {@code avgFactor > 0} */
    public NDArray compute(NDArray pred, NDArray target, NDArray weight, double avgFactor) {
        NDArray loss = AlignedOverlaps.iou(pred, target).clip(EPS, Float.POSITIVE_INFINITY).log().neg();
        return Reduction.weightedSum(loss, weight, avgFactor);
    }
}
