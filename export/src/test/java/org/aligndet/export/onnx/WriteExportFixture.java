package org.aligndet.export.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OnnxSession;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * Writes {@code model-specs/fixtures/export/}: the tiny RetinaNet exported by this project from a
 * Java-written checkpoint of {@link TinyCheckpoints#perturbedWeights()} as
 * {@code retinanet_tiny.onnx} and {@code retinanet_tiny.ts}, and {@code expected.json}: the
 * model's metadata and what ONNX Runtime (from Java) computes on a fixed input, summarised per
 * output (shape, sum, absolute sum, every 97th value) plus the first detections.
 * {@code model-specs/generator/export_check.py} then checks with PyTorch and onnx that the ONNX file
 * passes {@code onnx.checker}, that the TorchScript file loads and carries the same weights, and
 * that it reproduces these outputs; it writes {@code export_check.txt}.
 *
 * <p>Run: {@code mvn -o -q -pl export -am test-compile}, then
 * {@code java -cp export/target/test-classes:export/target/classes:$(cat cp.txt) org.aligndet.export.onnx.WriteExportFixture}
 * with {@code cp.txt} from {@code mvn -o -q -pl export dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 */
public final class WriteExportFixture {
    static final int H = 64;
    static final int W = 96;
    static final int SAMPLE_STRIDE = 97;

    private WriteExportFixture() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = TinyCheckpoints.specs().directory().resolve("fixtures/export");
        Files.createDirectories(dir);
        Path tmpDir = Files.createTempDirectory("aligndet-export-fixture");
        Path ckpt = tmpDir.resolve("retinanet_tiny_finetune.pth");
        try {
            TinyCheckpoints.writePerturbed(ckpt);
            TrainedCheckpoint c = TrainedCheckpoint.read(ckpt);
            OnnxExporter exporter = OnnxExporter.forSpec(TinyCheckpoints.specs(), TinyCheckpoints.SPEC);
            OnnxModel model = exporter.exportTo(c, null, dir.resolve("retinanet_tiny.onnx"));
            exporter.exportTorchScript(c, dir.resolve("retinanet_tiny.ts"));
            HostTensor x = OnnxExporterTest.pattern(H, W);
            Map<String, HostTensor> out;
            try (OnnxSession s = OrtSessions.open(model.toBytes(), "fixture", OrtSessions.CPU)) {
                out = s.run(Map.of("images", x));
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("input", Map.of("shape", List.of(1, 3, H, W), "formula", "v[i] = (37 i + 11 (i // W)) % 256 over the flat index i"));
            json.put("metadata", model.metadata());
            json.put("sample_stride", SAMPLE_STRIDE);
            Map<String, Object> outputs = new LinkedHashMap<>();
            out.forEach((k, v) -> outputs.put(k, summary(v)));
            json.put("outputs", outputs);
            json.put("template_sha256", TrainedCheckpoint.sha256(TinyCheckpoints.specs().onnxTemplate(TinyCheckpoints.SPEC)));
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("expected.json").toFile(), json);
            System.out.println("wrote " + dir);
        } finally {
            Files.deleteIfExists(ckpt);
            Files.deleteIfExists(tmpDir);
        }
    }

    private static Map<String, Object> summary(HostTensor t) {
        float[] v = t.toFloats();
        double sum = 0;
        double abs = 0;
        for (float f : v) {
            sum += f;
            abs += Math.abs(f);
        }
        float[] samples = new float[(v.length + SAMPLE_STRIDE - 1) / SAMPLE_STRIDE];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = v[i * SAMPLE_STRIDE];
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shape", t.shape());
        m.put("dtype", t.dtype().shortName());
        m.put("sum", sum);
        m.put("abs_sum", abs);
        m.put("samples", samples);
        return m;
    }
}
