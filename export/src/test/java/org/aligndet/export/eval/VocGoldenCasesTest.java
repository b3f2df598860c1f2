package org.aligndet.export.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.data.VocObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every case of {@code shared/testdata/voc_eval/cases.json} under both reference columns:
 * mmdetection {@code eval_map} (float32 emulated; asserted to 1e-6, the README's tolerance, and it
 * is in fact exact) and detectron2 {@code voc_eval} to 1e-9, including its evaluator's
 * AP / AP50 / AP75 over IoU 0.50:0.95. The numerically fragile case runs like the others.
 */
class VocGoldenCasesTest {
    private static final double MMDET_TOL = 1e-6;
    private static final double D2_TOL = 1e-9;
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode cases() throws IOException {
        return JSON.readTree(SharedTestData.dir("voc_eval").resolve("cases.json").toFile());
    }

    static Stream<JsonNode> caseStream() throws IOException {
        List<JsonNode> list = new ArrayList<>();
        cases().get("cases").forEach(list::add);
        return list.stream();
    }

    @Test
    void allCasesPresent() throws IOException {
        assertEquals(21, cases().get("cases").size(), "voc_eval/cases.json should hold 21 cases");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseStream")
    void matchesMmdetectionEvalMap(JsonNode c) {
        String name = c.get("name").asText() + (c.get("numerically_fragile").asBoolean() ? " (numerically fragile: float32 IoU decides)" : "");
        List<String> classes = classes(c);
        VocResult r = new VocEvaluator().evaluate(classes, images(c, classes), detections(c, classes));
        JsonNode want = c.get("expected").get("voc07_11point");
        for (int k = 0; k < classes.size(); k++) {
            JsonNode w = want.get("per_class").get(k);
            VocClassAp got = r.perClass().get(k);
            assertEquals(w.get("class").asText(), got.name());
            assertEquals(w.get("num_gts").asInt(), got.numGts(), name + ": num_gts of " + got.name());
            assertEquals(w.get("num_dets").asInt(), got.numDets(), name + ": num_dets of " + got.name());
            assertEquals(w.get("ap").asDouble(), got.ap(), MMDET_TOL, name + ": mmdet AP of " + got.name());
        }
        assertEquals(want.get("mAP").asDouble(), r.mAP(), MMDET_TOL, name + ": mmdet mAP");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseStream")
    void matchesDetectron2VocEval(JsonNode c) {
        String name = c.get("name").asText();
        List<String> classes = classes(c);
        List<VocImage> images = images(c, classes);
        List<VocDetection> dets = detections(c, classes);
        VocResult r = new VocEvaluator(VocEvaluator.Semantics.DETECTRON2, VocEvaluator.Metric.ELEVEN_POINT, 0.5).evaluate(classes, images, dets);
        JsonNode want = c.get("expected").get("detectron2_voc07");
        for (int k = 0; k < classes.size(); k++) {
            assertEquals(want.get("per_class").get(k).get("ap").asDouble(), r.perClass().get(k).ap(), D2_TOL,
                    name + ": detectron2 AP of " + classes.get(k));
        }
        assertEquals(want.get("mAP").asDouble(), r.mAP(), D2_TOL, name + ": detectron2 mAP");

        // PascalVOCDetectionEvaluator.evaluate(): per-threshold mean of AP*100, then the mean over 0.50:0.95
        double[] perThr = new double[10];
        for (int i = 0; i < 10; i++) {
            VocResult at = new VocEvaluator(VocEvaluator.Semantics.DETECTRON2, VocEvaluator.Metric.ELEVEN_POINT, (50 + 5 * i) / 100.0)
                    .evaluate(classes, images, dets);
            double[] pct = at.perClass().stream().mapToDouble(a -> a.ap() * 100).toArray();
            perThr[i] = NumpySum.mean(pct, pct.length);
        }
        JsonNode pct = want.get("evaluator_bbox_percent");
        assertEquals(pct.get("AP50").asDouble(), perThr[0], D2_TOL * 100, name + ": detectron2 evaluator AP50");
        assertEquals(pct.get("AP75").asDouble(), perThr[5], D2_TOL * 100, name + ": detectron2 evaluator AP75");
        assertEquals(pct.get("AP").asDouble(), NumpySum.mean(perThr, 10), D2_TOL * 100, name + ": detectron2 evaluator AP");
    }

    static List<String> classes(JsonNode c) {
        List<String> out = new ArrayList<>();
        c.get("classes").forEach(n -> out.add(n.asText()));
        return out;
    }

    static List<VocImage> images(JsonNode c, List<String> classes) {
        List<VocImage> out = new ArrayList<>();
        for (JsonNode im : c.get("images")) {
            List<VocObject> objs = new ArrayList<>();
            for (JsonNode o : im.get("objects")) {
                JsonNode b = o.get("bbox");
                String name = o.get("name").asText();
                objs.add(new VocObject(name, classes.indexOf(name), b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(),
                        b.get(3).asDouble(), o.get("difficult").asInt() != 0));
            }
            out.add(new VocImage(im.get("id").asText(), objs));
        }
        return out;
    }

    static List<VocDetection> detections(JsonNode c, List<String> classes) {
        List<VocDetection> out = new ArrayList<>();
        for (JsonNode d : c.get("detections")) {
            JsonNode b = d.get("bbox");
            out.add(new VocDetection(d.get("image_id").asText(), classes.indexOf(d.get("class").asText()), d.get("score").asDouble(),
                    b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()));
        }
        return out;
    }
}
