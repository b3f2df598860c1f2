package org.aligndet.bridge.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic between an array and a constant that is safe for autograd on the CPU.
 *
 * <p>DJL's {@code NDArray.mul(Number)}, {@code div(Number)}, {@code maximum(Number)}, {@code pow(Number)}
 * and friends wrap the constant in a temporary array made with {@code create}, which on the CPU shares
 * a Java direct buffer with libtorch ({@code from_blob}), run the operation, and close the temporary.
 * Autograd keeps the constant for backward ({@code MulBackward}, {@code DivBackward},
 * {@code MaximumBackward}, {@code PowBackward} save it), but once the temporary is closed nothing in
 * Java keeps its buffer alive: the collector frees it, the memory is reused, and backward scales
 * gradients by whatever lies there (measured here: the contrastive branch's gradients shrank to
 * 1e-30 in a quiet run, and runs under load diverged). The constants here live in libtorch's own
 * memory ({@code torch::full}), so closing the Java handle leaves the value intact for backward.
 * The project's code never calls DJL's {@code Number} overloads (an architecture test enforces it).
 */
public final class Scalars {
    private Scalars() {
    }

    /** A 0-d array of {@code like}'s type on its manager, in libtorch-owned memory. */
    public static NDArray of(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType());
    }

    public static NDArray add(NDArray x, float value) {
        try (NDArray c = of(x, value)) {
            return x.add(c);
        }
    }

    public static NDArray sub(NDArray x, float value) {
        try (NDArray c = of(x, value)) {
            return x.sub(c);
        }
    }

    public static NDArray mul(NDArray x, float value) {
        try (NDArray c = of(x, value)) {
            return x.mul(c);
        }
    }

    public static NDArray div(NDArray x, float value) {
        try (NDArray c = of(x, value)) {
            return x.div(c);
        }
    }

    /** Element-wise {@code max(x, value)}. */
    public static NDArray maximum(NDArray x, float value) {
        try (NDArray c = of(x, value)) {
            return x.maximum(c);
        }
    }

    /** Element-wise {@code x ^ value}. */
    public static NDArray pow(NDArray x, float value) {
        try (NDArray c = of(x, value)) {
            return x.pow(c);
        }
    }
}
