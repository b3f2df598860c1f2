package org.aligndet.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * A loss term whose value and gradient were computed outside autograd: {@code value + Σ x·grad −
 * stop(Σ x·grad)} has the value {@code value} and, with respect to {@code x}, the gradient
 * {@code grad}, so that backward is one product instead of the passes over what autograd would
 * have kept. The caller checks the formula for {@code grad} against autograd in its tests.
 */
final class KnownGradient {
    private KnownGradient() {
    }

    /**
     * @param x     the input, with history
     * @param value the term's value, a scalar without history
     * @param grad  {@code ∂term/∂x}, shaped as {@code x}, without history (autograd keeps it for backward)
     */
    static NDArray term(NDArray x, NDArray value, NDArray grad) {
        NDArray linear = x.mul(grad).sum();
        return linear.sub(linear.stopGradient()).add(value);
    }
}
