package org.aligndet.trainer.loss;

import ai.djl.ndarray.NDArray;

/** {@code sum(|pred - target| * weight) / avgFactor}, e.g. on encoded box deltas {@code [N, 4]}. */
public final class L1Loss {
    /**
     * @param pred      any shape
     * @param target    same shape as {@code pred}, no gradient expected
     * @param weight    same shape, or {@code null} for ones
     * @param avgFactor normaliser, {@code > 0}
     * @return a scalar
     */
    public NDArray compute(NDArray pred, NDArray target, NDArray weight, double avgFactor) {
        Reduction.sameShape(pred, target, "L1 pred/target");
        return Reduction.weightedSum(pred.sub(target).abs(), weight, avgFactor);
    }
}
