package org.aligndet.bridge.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Large matrix products {@code a · b} outside autograd, on the CPU through oneDNN's convolution
 * instead of {@code matmul}.
 *
 * <p>libtorch's CPU {@code matmul} calls MKL's SGEMM, which on this project's AMD machines reached
 * 53–80 GMAC/s on the contrastive loss's shapes ({@code [512, 256] x [256, 8192]} and
 * {@code [512, 8192] x [8192, 256]}, two threads), while libtorch's convolutions, which go to
 * oneDNN and pick their kernels by instruction set rather than by vendor, reached 68–145 GMAC/s
 * on the same products written as a 1x1 convolution: {@code b [k, n]} as one image of {@code k}
 * channels and width {@code n}, {@code a [m, k]} as {@code m} filters of {@code k} channels. The
 * output {@code [1, m, 1, n]} is {@code a · b} in row-major order, and a per-row constant added
 * to the product rides along as the convolution's bias. On a GPU the products stay {@code matmul}.
 *
 * <p>Values agree with {@code matmul} to float rounding (accumulation order differs).
 */
public final class Products {
    private Products() {
    }

    /**
     * A right operand prepared once for several products: {@code b [k, n]} in the layout the
     * product wants (one contiguous copy on the CPU if {@code b} is a transposed view). Close it
     * when done.
     */
    public static final class Right implements AutoCloseable {
        private final NDArray matrix; // [k, n]: the GPU route, and the shape
        private final NDArray image; // [1, k, 1, n], or null on the GPU

        private Right(NDArray b) {
            if (b.getShape().dimension() != 2) {
                throw new IllegalArgumentException("a right operand must be a matrix, got " + b.getShape());
            }
            this.matrix = b;
            // on the CPU a view of b, or a copy of a strided b
            this.image = b.getDevice().isGpu() ? null : b.reshape(1, b.getShape().get(0), 1, b.getShape().get(1));
        }

        /** {@code k}: the inner dimension. */
        public long rows() {
            return matrix.getShape().get(0);
        }

        @Override
        public void close() {
            if (image != null) {
                image.close();
            }
        }
    }

    /** Prepares {@code b [k, n]} (any strides) as the right operand of {@link #times}. */
    public static Right right(NDArray b) {
        return new Right(b);
    }

    /**
     * {@code a · b + shift} ({@code shift} added to every entry), {@code [m, n]}, for
     * {@code a [m, k]}; run it with autograd off ({@link GradMode#off}), as the convolution
     * route records no history for {@code a} and {@code b} as a product would.
     */
    public static NDArray times(NDArray a, Right b, float shift) {
        Shape s = a.getShape();
        if (s.dimension() != 2 || s.get(1) != b.rows()) {
            throw new IllegalArgumentException("cannot multiply " + s + " by " + b.matrix.getShape());
        }
        if (b.image == null) {
            NDArray p = a.matMul(b.matrix);
            if (shift == 0f) {
                return p;
            }
            try (p) {
                return Scalars.add(p, shift);
            }
        }
        long m = s.get(0);
        try (NDArray filters = a.reshape(m, s.get(1), 1, 1);
             NDArray bias = shift == 0f ? null : a.getManager().full(new Shape(m), shift, a.getDataType());
             NDArray out = bias == null ? Conv2d.conv2d(b.image, filters).singletonOrThrow()
                     : Conv2d.conv2d(b.image, filters, bias).singletonOrThrow()) {
            return out.reshape(m, b.matrix.getShape().get(1));
        }
    }
}
