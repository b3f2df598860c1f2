package org.aligndet.export.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mask AP against the reference: every case of {@code model-specs/fixtures/coco_segm/cases.json} and
 * cocoapi's fake segm results on the real val2014 subset, each scored by pycocotools' COCOeval
 * ({@code iouType segm}) in {@code model-specs/generator/segm_golden.py}, to 1e-9. The cases go through
 * the files a user gives {@code aligndet eval --results F --iou-type segm}: polygons (one or several
 * parts) and uncompressed-RLE crowd regions on the ground-truth side, compressed RLE strings on the
 * results side, with and without a bbox field.
 */
class CocoSegmGoldenCasesTest {
    private static final double TOL = 1e-9;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = ModelSpecs.locate().directory().resolve("fixtures/coco_segm");

    @TempDir
    Path tmp;

    static Stream<JsonNode> caseStream() throws IOException {
        List<JsonNode> list = new ArrayList<>();
        JSON.readTree(DIR.resolve("cases.json").toFile()).get("cases").forEach(list::add);
        assertEquals(8, list.size(), "coco_segm/cases.json should hold 8 cases");
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseStream")
    void matchesPycocotools(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        Path gt = tmp.resolve(name + "_gt.json");
        Path dt = tmp.resolve(name + "_dt.json");
        JSON.writeValue(gt.toFile(), c.get("gt"));
        JSON.writeValue(dt.toFile(), c.get("dt"));
        EvalReport r = ResultsEvaluation.coco(gt, dt, IouType.SEGM);
        assertEquals("coco_segm", r.json().get("kind").asText());
        compare(c.get("stats"), c.get("per_category_ap"), c.get("per_category_ap50"), r.json(), name);
    }

    @Test
    void realVal2014SubsetMatchesPycocotools() throws IOException {
        JsonNode expected = JSON.readTree(DIR.resolve("real.json").toFile());
        Path annotations = SharedTestData.dir("coco_real").resolve("instances_val2014_100.json");
        EvalReport r = ResultsEvaluation.coco(annotations, DIR.resolve(expected.get("results").asText()), IouType.SEGM);
        compare(expected.get("stats"), expected.get("per_category_ap"), null, r.json(), "coco_real segm");
        // cocoapi's own printout (results/val2014_fake_eval_res.txt), three decimals: 0.320 AP, 0.562 AP50, 0.327 AP large
        assertEquals(0.320, r.json().get("AP").asDouble(), 5e-4);
        assertEquals(0.562, r.json().get("AP50").asDouble(), 5e-4);
        assertEquals(0.327, r.json().get("APl").asDouble(), 5e-4);
    }

    private static void compare(JsonNode stats, JsonNode perAp, JsonNode perAp50, JsonNode got, String name) {
        for (int i = 0; i < 12; i++) {
            String k = CocoEvalResult.STAT_NAMES.get(i);
            assertEquals(stats.get(i).asDouble(), got.get(k).asDouble(), TOL, name + ": " + k);
        }
        JsonNode per = got.get("per_category");
        assertEquals(perAp.size(), per.size(), name + ": number of categories");
        int scored = 0;
        for (int k = 0; k < per.size(); k++) {
            assertEquals(perAp.get(k).get("category_id").asLong(), per.get(k).get("category_id").asLong(), name + ": category order");
            assertEquals(perAp.get(k).get("ap").asDouble(), per.get(k).get("AP").asDouble(), TOL,
                    name + ": AP of category " + per.get(k).get("category_id"));
            if (perAp50 != null) {
                assertEquals(perAp50.get(k).get("ap").asDouble(), per.get(k).get("AP50").asDouble(), TOL,
                        name + ": AP50 of category " + per.get(k).get("category_id"));
            }
            scored += perAp.get(k).get("ap").asDouble() > 0 ? 1 : 0;
        }
        assertTrue(scored > 0, name + ": no category scored above 0 (the comparison would be vacuous)");
    }
}
