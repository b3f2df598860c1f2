package org.aligndet.trainer.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reference fixtures that model-specs/generator/reference_fixtures.py writes with PyTorch, and
 * comparisons against them. The repository is {@code aligndet.root} (set by surefire) or the first
 * parent folder holding model-specs/.
 */
public final class Reference {
    /** The tolerance the fixtures are held to. */
    public static final double TOL = 1e-5;

    private Reference() {
    }

    public static Path root() {
        String p = System.getProperty("aligndet.root");
        if (p != null && Files.isDirectory(Path.of(p, "model-specs"))) {
            return Path.of(p);
        }
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.isDirectory(d.resolve("model-specs"))) {
            d = d.getParent();
        }
        if (d == null) {
            throw new IllegalStateException("no model-specs/ above " + Path.of("").toAbsolutePath());
        }
        return d;
    }

    /** {@code model-specs/fixtures/reference/<name>.json}. */
    public static JsonNode load(String name) {
        Path f = root().resolve("model-specs/fixtures/reference").resolve(name + ".json");
        try {
            return new ObjectMapper().readTree(f.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + f, e);
        }
    }

    public static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }

    public static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    public static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    /** Element-wise {@code |e - a| <= tol * max(1, |e|)}, naming the first offending index. */
    public static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (!(Math.abs(e - a) <= tol * Math.max(1, Math.abs(e)))) {
                fail(what + "[" + i + "]: expected " + e + ", got " + a);
            }
        }
    }

    public static void assertClose(float[] expected, float[] actual, String what) {
        assertClose(expected, actual, TOL, what);
    }

    /**
     * numpy's allclose with an absolute part scaled to the tensor: |x - y| <= 1e-3 |y| + 1e-4 max|y|. Float32
     * kernels differ in summation order between CPUs (AVX2 vs AVX-512 here: 7.6e-6 on values up to 8.9);
     * a relative test with a fixed floor of 1e-6 flagged such round-off as a failure. GroupNorm over the
     * coarsest levels' few locations amplifies round-off further (2.2e-4 on 0.64 in fcos_tiny's P7).
     */
    public static void assertCloseToFixture(ai.djl.ndarray.NDArray a, org.aligndet.bridge.tensor.HostTensor want, String what) {
        org.junit.jupiter.api.Assertions.assertNotNull(want, what + " missing from fixture");
        org.junit.jupiter.api.Assertions.assertArrayEquals(want.shape(), a.getShape().getShape(), what);
        float[] x = a.toFloatArray();
        float[] y = want.toFloats();
        double scale = 0;
        for (float v : y) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        int at = 0;
        for (int i = 0; i < x.length; i++) {
            double excess = Math.abs(x[i] - y[i]) / (1e-3 * Math.abs(y[i]) + 1e-4 * scale + 1e-12);
            if (excess > worst) {
                worst = excess;
                at = i;
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(worst <= 1, what + ": element " + at + " is " + x[at] + ", the fixture says " + y[at]
                + " (tolerance 1e-3 |y| + 1e-4 max|y|, max|y| " + scale + ")");
    }

}
