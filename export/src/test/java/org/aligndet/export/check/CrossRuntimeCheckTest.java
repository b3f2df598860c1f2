package org.aligndet.export.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.export.eval.CocoGroundTruth;
import org.aligndet.export.onnx.OnnxExporter;
import org.aligndet.export.onnx.TrainedCheckpoint;
import org.aligndet.export.predict.ImageRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The check passes on a checkpoint and its own export, and fails when one ONNX weight is changed. */
class CrossRuntimeCheckTest {
    @TempDir
    Path dir;

    private CheckReport check(String spec, TrainedCheckpoint ckpt, OnnxModel onnx, List<ImageRef> images, Path gt) {
        try (CrossRuntimeCheck c = CrossRuntimeCheck.open(ckpt, null, onnx, CheckFixtures.SPECS, Tolerances.DEFAULT, OrtSessions.CPU)) {
            return c.run(images, gt == null ? null : CocoGroundTruth.read(gt));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny"})
    void passesOnItsOwnExport(String spec) throws Exception {
        TrainedCheckpoint ckpt = TrainedCheckpoint.read(CheckFixtures.checkpoint(spec, dir.resolve("ckpt.pth")));
        OnnxModel onnx = OnnxExporter.forSpec(CheckFixtures.SPECS, spec).export(ckpt, null);
        List<ImageRef> images = CheckFixtures.images(dir, 3);
        CheckReport r = check(spec, ckpt, onnx, images, null);
        assertTrue(r.passed(), r.markdown());
        assertEquals(3, r.images());
        int levels = CheckFixtures.SPECS.load(spec).numLevels();
        assertEquals(levels * (spec.startsWith("fcos") ? 3 : 2), r.outputs().size());
        assertTrue(r.matching().torchDetections() > 10, "the test checkpoint detects: " + r.matching());
        assertEquals(r.matching().torchDetections(), r.matching().matched(), r.markdown());
        assertTrue(r.maxAbs() > 0 && r.maxAbs() < 1e-3, "two runtimes differ a little: " + r.maxAbs());
        assertTrue(r.notes().isEmpty(), r.notes().toString());

        r.writeJson(dir.resolve("r.json"));
        r.writeMarkdown(dir.resolve("r.md"));
        JsonNode j = new ObjectMapper().readTree(dir.resolve("r.json").toFile());
        assertTrue(j.get("passed").asBoolean());
        assertEquals(r.outputs().size(), j.get("outputs").size());
        JsonNode first = j.get("outputs").get(0);
        assertEquals("cls_score_0", first.get("name").asText());
        assertEquals(0, first.get("level").asInt());
        assertTrue(first.get("max_abs").isNumber() && first.get("max_rel").isNumber() && first.get("elements").asLong() > 0);
        assertTrue(j.get("tolerances").get("max_rel").isNull(), "unbounded is null, not Infinity");
        assertTrue(Files.readString(dir.resolve("r.md")).startsWith("# Cross-runtime check: PASS"));
    }

    @Test
    void aPerturbedOnnxWeightFailsTheCheck() throws Exception {
        String spec = "retinanet_tiny";
        TrainedCheckpoint ckpt = TrainedCheckpoint.read(CheckFixtures.checkpoint(spec, dir.resolve("ckpt.pth")));
        OnnxModel onnx = OnnxExporter.forSpec(CheckFixtures.SPECS, spec).export(ckpt, null);
        String name = "bbox_head.retina_reg.bias";
        HostTensor b = onnx.initializer(name);
        float[] v = b.toFloats();
        v[0] += 0.01f; // one box delta channel, 10 x the default tolerance
        onnx.replaceInitializer(name, HostTensor.ofFloats(b.shape(), v));
        CheckReport r = check(spec, ckpt, onnx, CheckFixtures.images(dir, 2), null);
        assertFalse(r.passed());
        List<String> f = r.failures();
        assertTrue(f.stream().anyMatch(s -> s.startsWith("bbox_pred_0: max abs diff 0.01")), f.toString());
        assertTrue(f.stream().noneMatch(s -> s.startsWith("cls_score")), "the classifier is untouched: " + f);
        OutputDiff box0 = r.outputs().stream().filter(d -> d.name().equals("bbox_pred_0")).findFirst().orElseThrow();
        assertEquals(0.01, box0.maxAbs(), 1e-4);
        assertTrue(r.markdown().startsWith("# Cross-runtime check: FAIL"));
    }

    @Test
    void apOfEachRuntimeOnLabelledImages() throws Exception {
        String spec = "retinanet_tiny";
        TrainedCheckpoint ckpt = TrainedCheckpoint.read(CheckFixtures.checkpoint(spec, dir.resolve("ckpt.pth")));
        OnnxModel onnx = OnnxExporter.forSpec(CheckFixtures.SPECS, spec).export(ckpt, null);
        List<ImageRef> images = CheckFixtures.images(dir, 3);
        Path gt = dir.resolve("gt.json");
        StringBuilder anns = new StringBuilder();
        for (int i = 1; i <= 4; i++) {
            anns.append(i > 1 ? "," : "").append("{\"id\":").append(i).append(",\"image_id\":").append((i - 1) % 3 + 1)
                    .append(",\"category_id\":").append(i % 2 + 1).append(",\"bbox\":[10,10,40,30],\"area\":1200,\"iscrowd\":0}");
        }
        StringBuilder cats = new StringBuilder();
        List<String> classes = CheckFixtures.classes(spec);
        for (int i = 0; i < classes.size(); i++) {
            cats.append(i > 0 ? "," : "").append("{\"id\":").append(i + 1).append(",\"name\":\"").append(classes.get(i)).append("\"}");
        }
        // image 4 is in the file but not checked: AP is over the checked images only
        Files.writeString(gt, "{\"images\":[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":4}],\"annotations\":[" + anns
                + ",{\"id\":9,\"image_id\":4,\"category_id\":1,\"bbox\":[0,0,5,5],\"area\":25,\"iscrowd\":0}],\"categories\":[" + cats + "]}");
        CheckReport r = check(spec, ckpt, onnx, images, gt);
        assertNotNull(r.ap());
        assertTrue(r.passed(), r.markdown());
        assertTrue(r.ap().torchAp() >= 0 && r.ap().onnxAp() >= 0);
        assertEquals(r.ap().torchAp(), r.ap().onnxAp(), Tolerances.DEFAULT_MAX_AP_DELTA);
        assertTrue(r.markdown().contains("## AP (COCO bbox"));
    }
}
