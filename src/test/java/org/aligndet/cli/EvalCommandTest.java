package org.aligndet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code aligndet eval} in scoring mode, through picocli. */
class EvalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** {@code aligndet eval ARGS}, through {@link Main}'s handlers as a user runs it. */
    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "eval";
        System.arraycopy(args, 0, all, 1, args.length);
        return cl.execute(all);
    }

    @Test
    void cocoScoringWritesJsonPlotsAndTable() throws IOException {
        Path real = SharedTestData.dir("coco_real");
        Path json = dir.resolve("report.json");
        int code = run("--coco-gt", real.resolve("instances_val2014_100.json").toString(),
                "--results", real.resolve("instances_val2014_fakebbox100_results.json").toString(),
                "--json", json.toString(), "--plots", dir.resolve("plots").toString());
        assertEquals(0, code, err.toString());
        JsonNode report = JSON.readTree(json.toFile());
        JsonNode expected = JSON.readTree(real.resolve("expected.json").toFile()).get("stats");
        for (int i = 0; i < 12; i++) {
            assertEquals(expected.get(i).asDouble(), report.get("stats").get(i).asDouble(), 1e-9, "stats[" + i + "]");
        }
        assertTrue(out.toString().contains("| AP @[.50:.95] all maxDets=100 | 0.505 |"), out.toString());
        try (var pngs = Files.list(dir.resolve("plots"))) {
            List<Path> files = pngs.toList();
            assertTrue(files.size() >= 7, files.toString());
            for (Path p : files) {
                assertTrue(Files.size(p) > 1000, p + " is non-empty");
            }
        }
    }

    @Test
    void segmScoresMaskResults() throws IOException {
        // one 4 x 3 image: a polygon object (columns 0-1, rows 0-1) and a crowd RLE (columns 2-3)
        Path gt = Files.writeString(dir.resolve("gt.json"), """
                {"images": [{"id": 1, "width": 4, "height": 3}], "categories": [{"id": 1, "name": "a"}],
                 "annotations": [
                   {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "iscrowd": 0,
                    "segmentation": [[0, 0, 0, 2, 2, 2, 2, 0]]},
                   {"id": 2, "image_id": 1, "category_id": 1, "bbox": [2, 0, 2, 3], "area": 6, "iscrowd": 1,
                    "segmentation": {"size": [3, 4], "counts": [6, 6]}}]}
                """);
        // the polygon's exact mask (runs 0, 2, 1, 2, 7 -> "02106"), and a one-pixel mask inside it (IoU 1/4: a false positive ranked below)
        Path dt = Files.writeString(dir.resolve("dt.json"), """
                [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": {"size": [3, 4], "counts": "02106"}},
                 {"image_id": 1, "category_id": 1, "score": 0.5, "segmentation": {"size": [3, 4], "counts": [0, 1, 11]}}]
                """);
        Path json = dir.resolve("report.json");
        assertEquals(0, run("--coco-gt", gt.toString(), "--results", dt.toString(), "--iou-type", "segm", "--json", json.toString()),
                err.toString());
        JsonNode report = JSON.readTree(json.toFile());
        assertEquals("coco_segm", report.get("kind").asText());
        assertEquals(1.0, report.get("AP").asDouble(), 1e-12);
        assertTrue(out.toString().startsWith("COCO mask AP (iouType segm)"), out.toString());
        // the same files as bbox: the default type reads the boxes, which the results do not have
        err.getBuffer().setLength(0);
        assertEquals(1, run("--coco-gt", gt.toString(), "--results", dt.toString()));
        assertTrue(err.toString().contains("needs \"image_id\", \"category_id\", \"bbox\" and \"score\""), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("--voc", dir.toString(), "--results", dt.toString(), "--iou-type", "segm"));
        assertTrue(err.toString().contains("--iou-type segm scores masks: it goes with --coco-gt (VOC has no mask AP here)"), err.toString());
    }

    @Test
    void emptyResultsFileIsAClearError() throws IOException {
        Path real = SharedTestData.dir("coco_real");
        Path empty = Files.writeString(dir.resolve("dets.json"), "[]");
        assertEquals(1, run("--coco-gt", real.resolve("instances_val2014_100.json").toString(), "--results", empty.toString()));
        assertTrue(err.toString().contains("holds an empty list: no detections"), err.toString());
    }

    @Test
    void exactlyOneGroundTruthIsRequired() {
        assertEquals(2, run("--results", "dt.json"));
        assertEquals(2, run("--coco-gt", "a.json", "--voc", "b", "--results", "dt.json"));
    }

    @Test
    void vocScoringMatchesTheMmdetectionColumn() throws IOException {
        JsonNode c = vocCase("voc_random_seed22");
        List<String> classes = new ArrayList<>();
        c.get("classes").forEach(n -> classes.add(n.asText()));
        Path voc = writeVoc(c, List.of());
        Path dets = writeCocoResults(c, classes);
        Path json = dir.resolve("voc.json");
        int code = run("--voc", voc.toString(), "--split", "test", "--results", dets.toString(),
                "--classes", String.join(",", classes), "--json", json.toString());
        assertEquals(0, code, err.toString());
        JsonNode want = c.get("expected").get("voc07_11point");
        JsonNode got = JSON.readTree(json.toFile());
        assertEquals(want.get("mAP").asDouble(), got.get("mAP").asDouble(), 1e-6);
        for (int k = 0; k < classes.size(); k++) {
            assertEquals(want.get("per_class").get(k).get("ap").asDouble(), got.get("per_class").get(k).get("AP").asDouble(), 1e-6, classes.get(k));
        }
    }

    @Test
    void vocSplitWithMissingXmlNamesEachFileOnce() throws IOException {
        JsonNode c = vocCase("voc_single_perfect");
        Path voc = writeVoc(c, List.of("009999", "009998", "009999"));
        Path dets = writeCocoResults(c, List.of("dog"));
        assertEquals(1, run("--voc", voc.toString(), "--results", dets.toString(), "--classes", "dog"));
        String msg = err.toString();
        assertTrue(msg.contains("names 2 images without an annotation file"), msg);
        assertEquals(1, msg.split("009999.xml", -1).length - 1, msg);
        assertTrue(msg.contains("009998.xml"), msg);
    }

    private static JsonNode vocCase(String name) throws IOException {
        for (JsonNode c : JSON.readTree(SharedTestData.dir("voc_eval").resolve("cases.json").toFile()).get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no VOC case " + name);
    }

    /** A VOC2007 folder with the case's images as XML; {@code extraIds} are listed in test.txt without XML. */
    private Path writeVoc(JsonNode c, List<String> extraIds) throws IOException {
        Path voc = dir.resolve("VOCdevkit/VOC2007");
        Files.createDirectories(voc.resolve("Annotations"));
        Files.createDirectories(voc.resolve("ImageSets/Main"));
        StringBuilder split = new StringBuilder();
        for (JsonNode im : c.get("images")) {
            StringBuilder xml = new StringBuilder("<annotation><filename>" + im.get("id").asText() + ".jpg</filename>");
            for (JsonNode o : im.get("objects")) {
                JsonNode b = o.get("bbox");
                xml.append("<object><name>").append(o.get("name").asText()).append("</name><difficult>").append(o.get("difficult").asInt())
                        .append("</difficult><bndbox><xmin>").append(b.get(0).asInt()).append("</xmin><ymin>").append(b.get(1).asInt())
                        .append("</ymin><xmax>").append(b.get(2).asInt()).append("</xmax><ymax>").append(b.get(3).asInt())
                        .append("</ymax></bndbox></object>");
            }
            Files.writeString(voc.resolve("Annotations/" + im.get("id").asText() + ".xml"), xml.append("</annotation>"));
            split.append(im.get("id").asText()).append('\n');
        }
        extraIds.forEach(id -> split.append(id).append('\n'));
        Files.writeString(voc.resolve("ImageSets/Main/test.txt"), split);
        return dir.resolve("VOCdevkit");
    }

    /** The case's detections as COCO results: VOC [x1, y1, x2, y2] to [x1 - 1, y1 - 1, x2 - x1 + 1, y2 - y1 + 1]; every other image id numeric. */
    private Path writeCocoResults(JsonNode c, List<String> classes) throws IOException {
        ArrayNode arr = JSON.createArrayNode();
        int i = 0;
        for (JsonNode d : c.get("detections")) {
            JsonNode b = d.get("bbox");
            double x1 = b.get(0).asDouble();
            double y1 = b.get(1).asDouble();
            var o = arr.addObject();
            if (i++ % 2 == 0) {
                o.put("image_id", d.get("image_id").asText());
            } else {
                o.put("image_id", Long.parseLong(d.get("image_id").asText()));
            }
            o.put("category_id", classes.indexOf(d.get("class").asText()) + 1);
            o.putArray("bbox").add(x1 - 1).add(y1 - 1).add(b.get(2).asDouble() - x1 + 1).add(b.get(3).asDouble() - y1 + 1);
            o.put("score", d.get("score").asDouble());
        }
        Path p = dir.resolve("dets.json");
        JSON.writeValue(p.toFile(), arr);
        return p;
    }

    @Test
    void errorsLookLikeEveryCommandsErrors() throws IOException {
        Path real = SharedTestData.dir("coco_real");
        Path empty = Files.writeString(dir.resolve("dets.json"), "[]");
        assertEquals(1, run("--coco-gt", real.resolve("instances_val2014_100.json").toString(), "--results", empty.toString()));
        assertTrue(err.toString().startsWith("aligndet: error: ") && err.toString().contains(empty.toString()), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(1, run("--coco-gt", real.resolve("instances_val2014_100.json").toString(), "--results", dir.toString()));
        assertTrue(err.toString().startsWith("aligndet: error: results file " + dir + " is a directory"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("--results", "dt.json", "--coco-gt", "gt.json", "--iou-type", "keypoints"));
        assertTrue(err.toString().startsWith("aligndet: error: --iou-type: unknown iou type 'keypoints'; use bbox or segm"), err.toString());
    }

    @Test
    void scoringModeWritesItsReportIntoOut() throws IOException {
        Path real = SharedTestData.dir("coco_real");
        Path reportDir = dir.resolve("report");
        int code = run("--coco-gt", real.resolve("instances_val2014_100.json").toString(),
                "--results", real.resolve("instances_val2014_fakebbox100_results.json").toString(), "--out", reportDir.toString());
        assertEquals(0, code, err.toString());
        JsonNode expected = JSON.readTree(real.resolve("expected.json").toFile()).get("stats");
        JsonNode report = JSON.readTree(reportDir.resolve("report.json").toFile());
        assertEquals(expected.get(0).asDouble(), report.get("stats").get(0).asDouble(), 1e-9);
        assertTrue(Files.readString(reportDir.resolve("report.md")).contains("AP @[.50:.95]"));
        try (var pngs = Files.list(reportDir.resolve("plots"))) {
            assertTrue(pngs.count() >= 7);
        }
        assertTrue(out.toString().contains("report: " + reportDir.resolve("report.json")), out.toString());
    }
}
