package org.aligndet.trainer.loss;

import org.aligndet.bridge.torch.Scalars;
import ai.djl.ndarray.NDArray;

/** The one reduction the detector losses share: {@code sum(loss * weight) / avgFactor}. */
final class Reduction {
    private Reduction() {
    }

    /**
     * @param loss      element-wise loss
     * @param weight    same shape as {@code loss} (or broadcastable to it), or {@code null} for all ones
     * @param avgFactor the normaliser, usually {@code max(#positives, 1)}; must be positive
     */
    static NDArray weightedSum(NDArray loss, NDArray weight, double avgFactor) {
        checkAvgFactor(avgFactor);
        NDArray w = weight == null ? loss : loss.mul(weight);
        return Scalars.div(w.sum(), (float) avgFactor);
    }

    static void checkAvgFactor(double avgFactor) {
        if (!(avgFactor > 0)) {
            throw new IllegalArgumentException("avgFactor must be positive, got " + avgFactor);
        }
    }

    static void sameShape(NDArray a, NDArray b, String what) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException(what + ": shapes differ, " + a.getShape() + " vs " + b.getShape());
        }
    }
}
