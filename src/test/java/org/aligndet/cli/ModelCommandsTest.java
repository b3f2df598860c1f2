package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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

    private static CliRun run(String... args) {
        return CliRun.main(args);
    }

    @BeforeAll
    static void generate() {
        bench = shared.resolve("bench");
        CliRun r = run("synth", "--out", bench.toString(), "--images", "8", "--seed", "5", "--val-fraction", "0.5",
                "--size", "160", "--workers", "2", "--no-progress");
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
        CliRun r = run("export", "--checkpoint", ckpt.toString(), "--spec", "retinanet_tiny", "--out", onnx.toString(),
                "--torchscript", ts.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("exported 104 weights of retinanet_tiny"), r.out());
        assertTrue(r.out().contains("aligndet pre-trained false, stage finetune, 10 iterations"), r.out());
        assertEquals("false", OnnxModel.load(onnx).metadata().get("aligndet.provenance.aligndet_pretrained"));
        assertTrue(Files.size(ts) > 1_000_000);
    }

    @Test
    void exportOfACheckpointMissingATensorFailsWithOneLineNamingIt() throws Exception {
        Path ckpt = templateCheckpoint("bbox_head.retina_reg.bias");
        Path onnx = dir.resolve("model.onnx");
        CliRun r = run("export", "--checkpoint", ckpt.toString(), "--spec", "retinanet_tiny", "--out", onnx.toString());
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
        CliRun r = run("predict", "--model", model.toString(), "--images", images.toString(), "--out", out.toString(),
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
        CliRun r = run("eval", "--model", model.toString(), "--coco-gt", bench.resolve("annotations/instances_val.json").toString(),
                "--images", bench.resolve("val").toString(), "--out", out.toString(), "--no-progress", "--cpu");
        assertEquals(0, r.code(), r.err());
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertEquals(12, report.get("stats").size());
        assertTrue(Files.readString(out.resolve("report.md")).contains("AP @[.50:.95]"));
        // the written detections score to the same numbers in scoring mode
        CliRun again = run("eval", "--results", out.resolve("results.json").toString(), "--coco-gt",
                bench.resolve("annotations/instances_val.json").toString(), "--json", dir.resolve("again.json").toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(report.get("stats"), JSON.readTree(dir.resolve("again.json").toFile()).get("stats"));
    }

    @Test
    void evalWithTheExportedModelOnVoc() throws Exception {
        Path out = dir.resolve("voc");
        CliRun r = run("eval", "--model", model.toString(), "--voc", bench.resolve("VOCdevkit").toString(),
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
        CliRun again = run("eval", "--results", out.resolve("results.json").toString(), "--voc", bench.resolve("VOCdevkit").toString(),
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
        CliRun r = run("predict", "--model", ckpt.toString(), "--spec", "retinanet_tiny", "--images", image.toString(),
                "--out", out.toString(), "--no-progress", "--cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(JSON.readTree(out.resolve("results.json").toFile()).isArray());
        CliRun noSpec = run("predict", "--model", ckpt.toString(), "--images", image.toString(), "--out", out.toString());
        assertEquals(1, noSpec.code());
        assertTrue(noSpec.err().contains("is a checkpoint: give its --spec"), noSpec.err());
    }

    @Test
    void evalNeedsResultsOrModel() {
        CliRun r = run("eval", "--coco-gt", "x.json");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("give either --results"), r.err());
    }

    private static String valGt() {
        return bench.resolve("annotations/instances_val.json").toString();
    }

    /** The val annotations with image ids renumbered 1..4 in reverse file order (annotations follow). */
    private Path renumberedValGt() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode gt = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(Path.of(valGt()).toFile());
        Map<Long, Long> newId = new HashMap<>();
        int n = gt.get("images").size();
        for (int i = 0; i < n; i++) {
            var img = (com.fasterxml.jackson.databind.node.ObjectNode) gt.get("images").get(i);
            newId.put(img.get("id").asLong(), (long) (n - i));
            img.put("id", n - i);
        }
        gt.get("annotations").forEach(a -> ((com.fasterxml.jackson.databind.node.ObjectNode) a).put("image_id",
                newId.get(a.get("image_id").asLong())));
        Path f = dir.resolve("renumbered.json");
        JSON.writeValue(f.toFile(), gt);
        return f;
    }

    @Test
    void resultsNumberedByPredictAreRefusedByEvalWithWhatToDo() throws Exception {
        Path out = dir.resolve("pred");
        CliRun p = run("predict", "--model", model.toString(), "--images", bench.resolve("val").toString(), "--out", out.toString(),
                "--no-progress", "--device", "cpu");
        assertEquals(0, p.code(), p.err());
        for (String gt : new String[] {valGt(), renumberedValGt().toString()}) { // ids 5..8; ids 1..4 on other files
            CliRun e = run("eval", "--results", out.resolve("results.json").toString(), "--coco-gt", gt);
            assertEquals(1, e.code(), e.err());
            assertTrue(e.err().startsWith("aligndet: error: " + out.resolve("results.json") + ": its image ids were numbered by "
                    + "'aligndet predict' without --coco") && e.err().contains("rerun 'aligndet predict --coco " + gt), e.err());
        }
        // with --coco the ids are the annotation file's: the results score as eval --model scores them
        CliRun c = run("predict", "--model", model.toString(), "--images", bench.resolve("val").toString(), "--coco", valGt(),
                "--out", out.toString(), "--no-progress", "--device", "cpu");
        assertEquals(0, c.code(), c.err());
        assertFalse(Files.exists(out.resolve("images.json")), "the stale list of predict's own numbering is gone");
        CliRun scored = run("eval", "--results", out.resolve("results.json").toString(), "--coco-gt", valGt(), "--out", dir.resolve("s").toString());
        CliRun direct = run("eval", "--model", model.toString(), "--coco-gt", valGt(), "--images", bench.resolve("val").toString(),
                "--out", dir.resolve("m").toString(), "--no-progress", "--device", "cpu");
        assertEquals(0, scored.code(), scored.err());
        assertEquals(0, direct.code(), direct.err());
        assertEquals(JSON.readTree(dir.resolve("m/report.json").toFile()).get("stats"), JSON.readTree(dir.resolve("s/report.json").toFile()).get("stats"));
    }

    /** The val annotation file, its images copied to a folder without the first {@code drop} of them. */
    private Path valImagesWithout(int drop) throws Exception {
        Path images = Files.createDirectories(dir.resolve("val-" + drop));
        try (var s = Files.list(bench.resolve("val"))) {
            List<Path> files = s.sorted().toList();
            for (Path f : files.subList(drop, files.size())) {
                Files.copy(f, images.resolve(f.getFileName()));
            }
        }
        return images;
    }

    @Test
    void missingImagesAreCountedAsMissingAndTooManyFailTheRun() throws Exception {
        Path images = valImagesWithout(1);
        CliRun refused = run("eval", "--model", model.toString(), "--coco-gt", valGt(), "--images", images.toString(),
                "--out", dir.resolve("e").toString(), "--no-progress", "--device", "cpu");
        assertEquals(1, refused.code(), refused.err());
        assertTrue(refused.err().startsWith("aligndet: error: " + valGt() + ": 1 of 4 listed images (25.0%) are missing, more than "
                + "the 10.0% allowed (--max-missing 0.1)"), refused.err());
        CliRun allowed = run("predict", "--model", model.toString(), "--coco", valGt(), "--images", images.toString(),
                "--out", dir.resolve("p").toString(), "--no-progress", "--device", "cpu", "--max-missing", "0.25");
        assertEquals(0, allowed.code(), allowed.err());
        assertTrue(allowed.out().contains("1 images skipped (1 missing, 0 unreadable"), allowed.out());
        assertTrue(Files.readString(dir.resolve("p/skipped.txt")).contains("000005.jpg: missing"));
    }

    @Test
    void imagesAboveThePixelCapAreSkippedAndListed() throws Exception {
        Path out = dir.resolve("pred");
        CliRun r = run("predict", "--model", model.toString(), "--images", bench.resolve("val").toString(), "--out", out.toString(),
                "--no-progress", "--max-pixels", "100");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("0 images, 0 detections") && r.out().contains("4 images skipped (0 missing, 4 unreadable"), r.out());
        assertTrue(Files.readString(out.resolve("skipped.txt")).contains("pixels, more than the cap of 100"));
    }

    @Test
    void modelsReadingFilesOutsideTheirFolderAreRefusedByEveryCommand() throws Exception {
        var m = org.aligndet.bridge.onnx.proto.OnnxProto.ModelProto.parseFrom(Files.readAllBytes(model)).toBuilder();
        var w = m.getGraphBuilder().getInitializerBuilder(0);
        String name = w.getName();
        w.clearRawData().setDataLocation(org.aligndet.bridge.onnx.proto.OnnxProto.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(org.aligndet.bridge.onnx.proto.OnnxProto.StringStringEntryProto.newBuilder().setKey("location")
                        .setValue("/etc/passwd"));
        Path hostile = Files.write(dir.resolve("hostile.onnx"), m.build().toByteArray());
        String expected = "aligndet: error: " + hostile + ": tensor '" + name + "' keeps its data in '/etc/passwd', which is an absolute path";
        CliRun p = run("predict", "--model", hostile.toString(), "--images", bench.resolve("val").toString(), "--out", dir.resolve("p").toString());
        CliRun e = run("eval", "--model", hostile.toString(), "--coco-gt", valGt(), "--images", bench.resolve("val").toString(),
                "--out", dir.resolve("e").toString());
        CliRun c = run("check", "--checkpoint", templateCheckpoint(null).toString(), "--model", hostile.toString(),
                "--images", bench.resolve("val").toString());
        for (CliRun r : new CliRun[] {p, e, c}) {
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().startsWith(expected), r.err());
        }
    }

    @Test
    void exportTakesClassNamesAsAList() throws Exception {
        Path onnx = dir.resolve("named.onnx");
        CliRun r = run("export", "--checkpoint", templateCheckpoint(null).toString(), "--spec", "retinanet_tiny", "--out", onnx.toString(),
                "--classes", "a,b,c,d,e,f,g,h");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("classes: [a, b, c, d, e, f, g, h]"), r.out());
    }
}
