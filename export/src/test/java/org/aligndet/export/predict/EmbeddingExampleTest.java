package org.aligndet.export.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.trainer.infer.Detections;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example ("Embedding the predictor") is this module's {@code src/test/java/DetectExample.java}
 * word for word, compiles with the build, and runs on the committed exported tiny model.
 */
class EmbeddingExampleTest {
    @TempDir
    Path tmp;

    static Path root() {
        return ModelSpecs.locate().directory().getParent();
    }

    @Test
    void readmeShowsTheExampleAsItIs() throws Exception {
        String source = Files.readString(root().resolve("export/src/test/java/DetectExample.java"));
        String readme = Files.readString(root().resolve("README.md"));
        assertTrue(readme.contains("```java\n" + source + "```\n"), "README.md must show export/src/test/java/DetectExample.java verbatim");
    }

    @Test
    void theExampleRunsAndPrintsEveryDetection() throws Exception {
        Path data = tmp.resolve("data");
        SynthGenerator.generate(new SynthConfig(data, 2, 4, 0.0, 256, 0, 96, 1, false, false));
        Path image;
        try (var s = Files.list(data.resolve("train"))) {
            image = s.sorted().findFirst().orElseThrow();
        }
        Path model = ModelSpecs.locate().directory().resolve("fixtures/export/retinanet_tiny.onnx");
        Detections expected;
        List<String> classes;
        try (OnnxPredictor p = OnnxPredictor.open(model, OrtSessions.CPU)) {
            expected = p.predict(List.of(p.preprocessor().prepareRaw(image))).get(0);
            classes = p.classes();
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Class.forName("DetectExample").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {model.toString(), image.toString()});
        } finally {
            System.setOut(saved);
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(expected.size() > 0, "the committed export fixture detects something on a synthetic scene");
        assertEquals(expected.size(), lines.size(), String.join("\n", lines));
        float[] b = expected.box(0);
        assertEquals(String.format("%s %.3f [%.1f, %.1f, %.1f, %.1f]", classes.get(expected.labels()[0]), expected.scores()[0],
                b[0], b[1], b[2], b[3]), lines.get(0));
    }
}
