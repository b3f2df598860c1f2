package org.aligndet.export.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every case of {@code shared/testdata/coco_eval/cases.json} (pycocotools COCOeval) to 1e-9, and the real val2014 subset. */
class CocoGoldenCasesTest {
    private static final double TOL = 1e-9;
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode cases() throws IOException {
        return JSON.readTree(SharedTestData.dir("coco_eval").resolve("cases.json").toFile());
    }

    static Stream<JsonNode> caseStream() throws IOException {
        List<JsonNode> list = new ArrayList<>();
        cases().get("cases").forEach(list::add);
        return list.stream();
    }

    @Test
    void allCasesPresent() throws IOException {
        JsonNode all = cases();
        assertEquals(all.get("meta").get("num_cases").asInt(), all.get("cases").size());
        assertEquals(33, all.get("cases").size(), "coco_eval/cases.json should hold 33 cases");
    }

    @Test
    void paramsAreExactlyPycocotools() throws IOException {
        JsonNode params = cases().get("meta").get("params");
        CocoParams p = CocoParams.defaults();
        assertArrayEquals(doubles(params.get("iouThrs")), p.iouThrs(), 0.0);
        assertArrayEquals(doubles(params.get("recThrs")), p.recThrs(), 0.0);
        for (int a = 0; a < 4; a++) {
            assertArrayEquals(doubles(params.get("areaRng").get(a)), p.areaRanges()[a], 0.0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseStream")
    void matchesPycocotools(JsonNode c) {
        String name = c.get("name").asText();
        CocoEvalResult r = new CocoEvaluator().evaluate(groundTruth(c.get("gt"), name), detections(c.get("dt")));
        double[] want = doubles(c.get("stats"));
        double[] got = r.stats();
        for (int i = 0; i < 12; i++) {
            assertEquals(want[i], got[i], TOL, name + ": stats[" + i + "] " + CocoEvalResult.STAT_NAMES.get(i));
        }
        List<CocoEvalResult.CategoryAp> per = r.perCategory();
        assertEquals(c.get("per_category_ap").size(), per.size(), name + ": number of categories");
        for (int k = 0; k < per.size(); k++) {
            JsonNode ap = c.get("per_category_ap").get(k);
            JsonNode ap50 = c.get("per_category_ap50").get(k);
            assertEquals(ap.get("category_id").asLong(), per.get(k).categoryId(), name + ": category order");
            assertEquals(ap.get("ap").asDouble(), per.get(k).ap(), TOL, name + ": AP of category " + per.get(k).categoryId());
            assertEquals(ap50.get("ap").asDouble(), per.get(k).ap50(), TOL, name + ": AP50 of category " + per.get(k).categoryId());
        }
    }

    @Test
    void realVal2014SubsetMatchesPycocotools() throws IOException {
        Path dir = SharedTestData.dir("coco_real");
        JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
        CocoGroundTruth gt = CocoGroundTruth.read(dir.resolve("instances_val2014_100.json"));
        CocoDetections dt = CocoDetections.read(dir.resolve("instances_val2014_fakebbox100_results.json"));
        assertEquals(839, gt.numAnnotations());
        assertEquals(734, dt.size());
        CocoEvalResult r = new CocoEvaluator().evaluate(gt, dt);
        assertArrayEquals(doubles(expected.get("stats")), r.stats(), TOL, "coco_real stats");
        JsonNode per = expected.get("per_category_ap");
        for (int k = 0; k < per.size(); k++) {
            assertEquals(per.get(k).get("ap").asDouble(), r.perCategory().get(k).ap(), TOL, "coco_real AP of category " + per.get(k).get("category_id"));
        }
    }

    static CocoGroundTruth groundTruth(JsonNode gt, String source) {
        CocoGroundTruth.Builder b = CocoGroundTruth.builder(source);
        gt.get("images").forEach(i -> b.image(i.get("id").asLong()));
        gt.get("categories").forEach(c -> b.category(c.get("id").asLong(), c.get("name").asText()));
        gt.get("annotations").forEach(a -> {
            double[] box = doubles(a.get("bbox"));
            b.annotation(a.get("id").asLong(), a.get("image_id").asLong(), a.get("category_id").asLong(),
                    box[0], box[1], box[2], box[3], a.get("area").asDouble(), a.path("iscrowd").asInt() != 0);
        });
        return b.build();
    }

    static CocoDetections detections(JsonNode dt) {
        CocoDetections.Builder b = CocoDetections.builder();
        dt.forEach(d -> {
            double[] box = doubles(d.get("bbox"));
            b.add(d.get("image_id").asLong(), d.get("category_id").asLong(), box[0], box[1], box[2], box[3], d.get("score").asDouble());
        });
        return b.build();
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
