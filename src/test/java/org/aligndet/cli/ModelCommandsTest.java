package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.onnx.InitializerInfo;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.ShapeClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code export}, {@code predict} and {@code eval --model} end to end on a small generated
 * benchmark, with the committed exported tiny RetinaNet ({@code model-specs/fixtures/export}) and
 * with a checkpoint exported in memory.
 */
class ModelCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    static Path bench;
    static Path model;

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void generate() {
        bench = shared.resolve("bench");
        Run r = run("synth", "--out", bench.toString(), "--images", "8", "--seed", "5", "--val-fraction", "0.5",
                "--size", "160", "--threads", "2", "--no-progress");
        assertEquals(0, r.code(), r.err());
        model = ModelSpecs.locate().directory().resolve("fixtures/export/retinanet_tiny.onnx");
    }

    /** The template's own weights in this project's checkpoint layout. */
    private Path templateCheckpoint(String drop) throws Exception {
        OnnxModel t = OnnxModel.load(ModelSpecs.locate().onnxTemplate("retinanet_tiny"));
        Map<String, HostTensor> sd = new LinkedHashMap<>();
        for (InitializerInfo i : t.initializers()) {
            if (!i.name().equals(drop)) {
                sd.put(i.name(), t.initializer(i.name()));
            }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("classes", new ArrayList<Object>(ShapeClass.classNames()));
        meta.put("stage", "finetune");
        meta.put("aligndet_pretrained", false);
        meta.put("iter", 10L);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", sd);
        root.put("meta", meta);
        Path f = dir.resolve("ckpt.pth");
        TorchCheckpoint.write(f, root);
        return f;
    }

    @Test
    void exportWritesOnnxWithMetadataAndTorchScript() throws Exception {
        Path ckpt = templateCheckpoint(null);
        Path onnx = dir.resolve("out/model.onnx");
        Path ts = dir.resolve("out/model.ts");
        Run r = run("export", "--checkpoint", ckpt.toString(), "--spec", "retinanet_tiny", "--out", onnx.toString(),
                "--torchscript", ts.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("exported 96 weights of retinanet_tiny"), r.out());
        assertTrue(r.out().contains("aligndet pre-trained false, stage finetune, 10 iterations"), r.out());
        assertEquals("false", OnnxModel.load(onnx).metadata().get("aligndet.provenance.aligndet_pretrained"));
        assertTrue(Files.size(ts) > 1_000_000);
    }

    @Test
    void exportOfACheckpointMissingATensorFailsWithOneLineNamingIt() throws Exception {
        Path ckpt = templateCheckpoint("bbox_head.retina_reg.bias");
        Path onnx = dir.resolve("model.onnx");
        Run r = run("export", "--checkpoint", ckpt.toString(), "--spec", "retinanet_tiny", "--out", onnx.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("aligndet: error: " + ckpt + ": the checkpoint does not fit the graph"), r.err());
        assertTrue(r.err().contains("bbox_head.retina_reg.bias"), r.err());
        assertFalse(Files.exists(onnx));
    }

    @Test
    void predictWritesValidResultsDrawingsAndSkipsCorruptImages() throws Exception {
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        try (var s = Files.list(bench.resolve("val"))) {
            for (Path p : s.toList()) {
                Files.copy(p, images.resolve(p.getFileName()));
            }
        }
        Files.write(images.resolve("broken.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3});
        Path out = dir.resolve("pred");
        Run r = run("predict", "--model", model.toString(), "--images", images.toString(), "--out", out.toString(),
                "--batch", "3", "--draw", "--no-progress", "--cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("4 images, "), r.out());
        assertTrue(r.out().contains("1 images skipped"), r.out());
        assertTrue(Files.readString(out.resolve("skipped.txt")).contains("broken.jpg"));

        JsonNode list = JSON.readTree(out.resolve("images.json").toFile());
        Map<Long, int[]> sizes = new HashMap<>();
        list.get("images").forEach(i -> sizes.put(i.get("id").asLong(), new int[] {i.get("width").asInt(), i.get("height").asInt()}));
        assertEquals(4, sizes.size());
        assertEquals(8, list.get("categories").size());
        JsonNode results = JSON.readTree(out.resolve("results.json").toFile());
        assertTrue(results.isArray() && results.size() > 0, "the fixture model detects plenty");
        for (JsonNode d : results) {
            int[] wh = sizes.get(d.get("image_id").asLong());
            assertTrue(wh != null, d.toString());
            long cat = d.get("category_id").asLong();
            assertTrue(cat >= 1 && cat <= 8, d.toString());
            double x = d.get("bbox").get(0).asDouble();
            double y = d.get("bbox").get(1).asDouble();
            double w = d.get("bbox").get(2).asDouble();
            double h = d.get("bbox").get(3).asDouble();
            assertTrue(x >= 0 && y >= 0 && w >= 0 && h >= 0 && x + w <= wh[0] + 1e-3 && y + h <= wh[1] + 1e-3, d.toString());
            double s = d.get("score").asDouble();
            assertTrue(s > 0 && s <= 1, d.toString());
        }
        try (var s = Files.list(out.resolve("draw"))) {
            assertEquals(4, s.filter(p -> p.toString().endsWith(".png")).count());
        }
    }

    @Test
    void evalWithTheExportedModelOnCoco() throws Exception {
        Path out = dir.resolve("eval");
        Run r = run("eval", "--model", model.toString(), "--coco-gt", bench.resolve("annotations/instances_val.json").toString(),
                "--images", bench.resolve("val").toString(), "--out", out.toString(), "--no-progress", "--cpu");
        assertEquals(0, r.code(), r.err());
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertEquals(12, report.get("stats").size());
        assertTrue(Files.readString(out.resolve("report.md")).contains("AP @[.50:.95]"));
        // the written detections score to the same numbers in scoring mode
        Run again = run("eval", "--results", out.resolve("results.json").toString(), "--coco-gt",
                bench.resolve("annotations/instances_val.json").toString(), "--json", dir.resolve("again.json").toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(report.get("stats"), JSON.readTree(dir.resolve("again.json").toFile()).get("stats"));
    }

    @Test
    void evalWithTheExportedModelOnVoc() throws Exception {
        Path out = dir.resolve("voc");
        Run r = run("eval", "--model", model.toString(), "--voc", bench.resolve("VOCdevkit").toString(),
                "--split", "test", "--out", out.toString(), "--no-progress", "--cpu", "--batch", "2");
        assertEquals(0, r.code(), r.err());
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertEquals("voc", report.get("kind").asText());
        assertEquals(8, report.get("per_class").size());
        int dets = 0;
        for (JsonNode c : report.get("per_class")) {
            dets += c.get("num_dets").asInt();
        }
        assertTrue(dets > 0, report.toString());
        // the VOC results file (string image ids) scores to the same mAP in scoring mode
        Run again = run("eval", "--results", out.resolve("results.json").toString(), "--voc", bench.resolve("VOCdevkit").toString(),
                "--classes", String.join(",", ShapeClass.classNames()), "--json", dir.resolve("again.json").toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(report.get("mAP").asDouble(), JSON.readTree(dir.resolve("again.json").toFile()).get("mAP").asDouble(), 1e-12);
    }

    @Test
    void predictWithACheckpointExportsItInMemory() throws Exception {
        Path ckpt = templateCheckpoint(null);
        Path image;
        try (var s = Files.list(bench.resolve("val"))) {
            image = s.sorted().findFirst().orElseThrow();
        }
        Path out = dir.resolve("pred");
        Run r = run("predict", "--model", ckpt.toString(), "--spec", "retinanet_tiny", "--images", image.toString(),
                "--out", out.toString(), "--no-progress", "--cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(JSON.readTree(out.resolve("results.json").toFile()).isArray());
        Run noSpec = run("predict", "--model", ckpt.toString(), "--images", image.toString(), "--out", out.toString());
        assertEquals(1, noSpec.code());
        assertTrue(noSpec.err().contains("is a checkpoint: give its --spec"), noSpec.err());
    }

    @Test
    void evalNeedsResultsOrModel() {
        Run r = run("eval", "--coco-gt", "x.json");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("give either --results"), r.err());
    }
}
