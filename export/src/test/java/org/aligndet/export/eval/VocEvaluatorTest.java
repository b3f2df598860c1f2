package org.aligndet.export.eval;

import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.data.VocObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-computed VOC cases: the area (VOC2010+) metric, and input errors. */
class VocEvaluatorTest {
    private static final List<String> CLASSES = List.of("dog");
    // two dogs; detections in score order: TP, FP, TP -> recall [.5, .5, 1], precision [1, .5, 2/3]
    private static final List<VocImage> IMAGES = List.of(new VocImage("000001", List.of(
            new VocObject("dog", 0, 1, 1, 100, 100, false), new VocObject("dog", 0, 201, 201, 300, 300, false))));
    private static final List<VocDetection> DETS = List.of(
            new VocDetection("000001", 0, 0.9, 1, 1, 100, 100),
            new VocDetection("000001", 0, 0.8, 400, 400, 450, 450),
            new VocDetection("000001", 0, 0.7, 201, 201, 300, 300));

    @Test
    void areaMetricIsTheAreaUnderTheEnvelope() {
        // envelope [1, 1, 2/3] over recall steps 0 -> .5 -> 1: 0.5 * 1 + 0.5 * 2/3
        double want = 0.5 + 0.5 * (2.0 / 3.0);
        for (VocEvaluator.Semantics s : VocEvaluator.Semantics.values()) {
            VocResult r = new VocEvaluator(s, VocEvaluator.Metric.AREA, 0.5).evaluate(CLASSES, IMAGES, DETS);
            assertEquals(want, r.perClass().get(0).ap(), 1e-7, s + " area AP");
            assertEquals(want, r.mAP(), 1e-7, s + " area mAP");
        }
    }

    @Test
    void elevenPointOnTheSameCurve() {
        // recall >= 0..0.5 (6 points) reaches precision 1; 0.6..1.0 (5 points) reaches 2/3
        double want = (6 + 5 * (2.0 / 3.0)) / 11;
        for (VocEvaluator.Semantics s : VocEvaluator.Semantics.values()) {
            VocResult r = new VocEvaluator(s, VocEvaluator.Metric.ELEVEN_POINT, 0.5).evaluate(CLASSES, IMAGES, DETS);
            assertEquals(want, r.perClass().get(0).ap(), 1e-7, s + " 11-point AP");
        }
    }

    @Test
    void unknownImageLabelNaNAndNegativeWidthAreNamed() {
        List<VocDetection> bad = List.of(
                new VocDetection("999999", 0, 0.5, 1, 1, 10, 10),
                new VocDetection("000001", 3, 0.5, 1, 1, 10, 10),
                new VocDetection("000001", 0, Double.NaN, 1, 1, 10, 10),
                new VocDetection("000001", 0, 0.5, 10, 1, 5, 10));
        EvalInputException e = assertThrows(EvalInputException.class, () -> new VocEvaluator().evaluate(CLASSES, IMAGES, bad));
        assertTrue(e.getMessage().startsWith("4 VOC detections"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown image id '999999'"), e.getMessage());
        assertTrue(e.getMessage().contains("label 3"), e.getMessage());
        assertTrue(e.getMessage().contains("score NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("negative width"), e.getMessage());
    }
}
