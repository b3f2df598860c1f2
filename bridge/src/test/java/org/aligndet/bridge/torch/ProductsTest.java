package org.aligndet.bridge.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The convolution route gives the matrix product, shifted, against a product summed on the host. */
class ProductsTest {
    private static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }

    /** {@code a [m, k] · b [k, n] + shift} in double precision. */
    private static double[] expected(float[] a, float[] b, int m, int k, int n, float shift) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = shift;
                for (int t = 0; t < k; t++) {
                    s += (double) a[i * k + t] * b[t * n + j];
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }

    private static void assertProduct(double[] want, NDArray got, int m, int n) {
        assertEquals(new Shape(m, n), got.getShape());
        float[] g = got.toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], g[i], 1e-4 * (1 + Math.abs(want[i])), "entry " + i);
        }
    }

    @Test
    void productOfAContiguousAndOfATransposedRightOperand() {
        TorchRuntime.init();
        SplittableRandom rng = new SplittableRandom(7);
        int m = 37, k = 19, n = 53;
        float[] a = random(rng, m * k), b = random(rng, k * n);
        float[] bT = new float[n * k]; // b's transpose, stored row-major: the right operand as a strided view
        for (int t = 0; t < k; t++) {
            for (int j = 0; j < n; j++) {
                bT[j * k + t] = b[t * n + j];
            }
        }
        try (NDManager mgr = NDManager.newBaseManager("PyTorch"); GradMode off = GradMode.off()) {
            NDArray x = mgr.create(a, new Shape(m, k));
            try (Products.Right right = Products.right(mgr.create(b, new Shape(k, n)))) {
                assertProduct(expected(a, b, m, k, n, 0f), Products.times(x, right, 0f), m, n);
                assertProduct(expected(a, b, m, k, n, -2.5f), Products.times(x, right, -2.5f), m, n);
            }
            NDArray viewed = mgr.create(bT, new Shape(n, k)).transpose();
            NDArray product;
            try (Products.Right right = Products.right(viewed)) {
                product = Products.times(x, right, 0.75f);
            }
            assertProduct(expected(a, b, m, k, n, 0.75f), product, m, n); // outlives its right operand
            assertProduct(expected(a, b, m, k, n, 0f), x.matMul(viewed), m, n); // the reference itself is sound
        }
    }

    @Test
    void mismatchedShapesAreRefusedByName() {
        TorchRuntime.init();
        try (NDManager mgr = NDManager.newBaseManager("PyTorch"); GradMode off = GradMode.off()) {
            try (Products.Right right = Products.right(mgr.zeros(new Shape(4, 6)))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Products.times(mgr.zeros(new Shape(3, 5)), right, 0f));
                assertTrue(e.getMessage().contains("(3, 5)") && e.getMessage().contains("(4, 6)"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> Products.right(mgr.zeros(new Shape(2, 3, 4))));
        }
    }
}
