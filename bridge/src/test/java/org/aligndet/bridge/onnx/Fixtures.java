package org.aligndet.bridge.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aligndet.bridge.tensor.HostTensor;

/** Locates the committed ONNX fixtures: {@code aligndet.root}, else the nearest parent with model-specs/. */
final class Fixtures {
    private Fixtures() {
    }

    static Path root() {
        String prop = System.getProperty("aligndet.root");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop, "model-specs"))) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("model-specs"))) {
                return p;
            }
        }
        throw new IllegalStateException("no model-specs/ above " + Path.of("").toAbsolutePath());
    }

    static Path onnxDir() {
        return root().resolve("model-specs/fixtures/onnx");
    }

    static Path tinyNet() {
        return onnxDir().resolve("tiny_net.onnx");
    }

    static JsonNode expected() {
        try {
            return new ObjectMapper().readTree(onnxDir().resolve("tiny_net.expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long[] longs(JsonNode arr) {
        long[] out = new long[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asLong();
        }
        return out;
    }

    static float[] floats(JsonNode arr) {
        float[] out = new float[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) arr.get(i).asDouble();
        }
        return out;
    }

    /** The recorded input of tiny_net.expected.json as a float32 tensor. */
    static HostTensor input() {
        JsonNode in = expected().get("run").get("input");
        return HostTensor.ofFloats(longs(in.get("shape")), floats(in.get("data")));
    }
}
