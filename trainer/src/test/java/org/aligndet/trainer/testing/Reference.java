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
}
