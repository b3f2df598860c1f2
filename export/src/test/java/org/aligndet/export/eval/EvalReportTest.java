package org.aligndet.export.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.data.VocObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON, Markdown, PNG and COCO-results outputs. */
class EvalReportTest {
    @TempDir
    Path dir;

    private static CocoEvalResult real() {
        Path d = SharedTestData.dir("coco_real");
        return new CocoEvaluator().evaluate(CocoGroundTruth.read(d.resolve("instances_val2014_100.json")),
                CocoDetections.read(d.resolve("instances_val2014_fakebbox100_results.json")));
    }

    @Test
    void cocoJsonHasStatsInPycocotoolsOrderAndNamedFields() throws IOException {
        CocoEvalResult r = real();
        Path json = dir.resolve("out/report.json");
        EvalReport.coco(r).writeJson(json);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        double[] stats = new double[12];
        for (int i = 0; i < 12; i++) {
            stats[i] = root.get("stats").get(i).asDouble();
            assertEquals(stats[i], root.get(CocoEvalResult.STAT_NAMES.get(i)).asDouble(), 0.0);
        }
        assertArrayEquals(r.stats(), stats, 0.0);
        assertEquals(0.5045806987249628, stats[0], 0.0, "stats[0] is AP@[.50:.95]");
        assertEquals(0.5642905982905982, stats[11], 0.0, "stats[11] is AR large");
        assertEquals(80, root.get("per_category").size());
        assertEquals(1, root.get("per_category").get(0).get("category_id").asInt());
        assertTrue(Files.list(json.getParent()).allMatch(p -> p.equals(json)), "no temporary file is left beside the report");
    }

    @Test
    void cocoMarkdownAndPlots() throws IOException {
        CocoEvalResult r = real();
        EvalReport report = EvalReport.coco(r);
        long withGt = r.perCategory().stream().filter(c -> c.ap() > -1).count();
        assertTrue(report.markdown().contains("| AP @[.50:.95] all maxDets=100 | 0.505 |"), report.markdown());
        assertTrue(report.markdown().contains("| person | 1 |"), report.markdown());
        List<Path> pngs = report.writePlots(dir.resolve("plots"));
        assertEquals((withGt + 9) / 10, pngs.size(), withGt + " categories with GT, 10 per chart");
        assertTrue(pngs.size() >= 7);
        for (Path p : pngs) {
            byte[] bytes = Files.readAllBytes(p);
            assertTrue(bytes.length > 1000, p + " is non-empty");
            assertEquals((byte) 0x89, bytes[0]);
            assertEquals('P', bytes[1], p + " is a PNG");
        }
    }

    @Test
    void vocReportAndPlot() throws IOException {
        List<VocImage> images = List.of(new VocImage("000001", List.of(new VocObject("dog", 0, 1, 1, 100, 100, false))));
        List<VocDetection> dets = List.of(new VocDetection("000001", 0, 0.9, 1, 1, 100, 100));
        EvalReport report = EvalReport.voc(new VocEvaluator().evaluate(List.of("dog", "cat"), images, dets));
        assertTrue(report.markdown().contains("| dog | 1.000 | 1 | 1 |"), report.markdown());
        Path json = dir.resolve("voc.json");
        report.writeJson(json);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(1.0, root.get("mAP").asDouble(), 0.0);
        assertEquals("MMDETECTION", root.get("semantics").asText());
        List<Path> pngs = report.writePlots(dir);
        assertEquals(1, pngs.size());
        assertTrue(Files.size(pngs.get(0)) > 1000);
    }

    @Test
    void resultsFileRoundTrips() {
        CocoDetections dt = CocoDetections.builder().add(42, 3, 1.25, 2.5, 10.125, 0.0, 0.3).add(7, 1, 0, 0, 1e-3, 5, 0.99).build();
        Path file = dir.resolve("dets.json");
        CocoResultsWriter.write(file, dt);
        CocoDetections back = CocoDetections.read(file);
        assertEquals(2, back.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(dt.imageId(i), back.imageId(i));
            assertEquals(dt.categoryId(i), back.categoryId(i));
            assertArrayEquals(dt.bbox(i), back.bbox(i), 0.0);
            assertEquals(dt.score(i), back.score(i), 0.0);
        }
    }
}
