package org.aligndet.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * Binary cross-entropy on logits, {@code softplus(x) - x * t} (stable for any x), then
 * {@code sum(loss * weight) / avgFactor}. FCOS's centre-ness loss is this with targets in [0, 1].
 */
public final class BceWithLogitsLoss {
    /**
     * @param logits    any shape
     * @param target    same shape, values in [0, 1]
     * @param weight    same shape or {@code null}
     * @param avgFactor {@code > 0}
     */
    public NDArray compute(NDArray logits, NDArray target, NDArray weight, double avgFactor) {
        Reduction.sameShape(logits, target, "BCE logits/target");
        return Reduction.weightedSum(elementwise(logits, target), weight, avgFactor);
    }

    /** The unreduced loss, same shape as {@code logits}. */
    static NDArray elementwise(NDArray logits, NDArray target) {
        return Activation.softPlus(logits).sub(logits.mul(target));
    }
}
