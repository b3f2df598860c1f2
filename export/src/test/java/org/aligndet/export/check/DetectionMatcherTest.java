package org.aligndet.export.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.aligndet.trainer.infer.Detections;
import org.junit.jupiter.api.Test;

/** Hand-checked matching cases and the relative-difference floor. */
class DetectionMatcherTest {
    static Detections dets(float[] boxes, float[] scores, int[] labels) {
        return new Detections("x", Detections.NO_ID, boxes, scores, labels);
    }

    @Test
    void matchesOneToOneBySameLabelIouAndScore() {
        DetectionMatcher m = DetectionMatcher.standard();
        // a0 = b1 exactly; a1 has b0's box shifted by 0.05 px of 100 (IoU 0.999); a2 is b2 with another label
        Detections a = dets(new float[] {0, 0, 10, 10, 0, 0, 100, 100, 5, 5, 20, 20}, new float[] {0.9f, 0.8f, 0.7f}, new int[] {1, 2, 3});
        Detections b = dets(new float[] {0.05f, 0, 100.05f, 100, 0, 0, 10, 10, 5, 5, 20, 20}, new float[] {0.80005f, 0.9f, 0.7f},
                new int[] {2, 1, 4});
        assertEquals(2, m.count(a, b));
        assertEquals(2, m.count(b, a));
    }

    @Test
    void scoreDeltaAndIouBoundsAreInclusiveLimits() {
        DetectionMatcher m = DetectionMatcher.standard();
        Detections a = dets(new float[] {0, 0, 100, 100}, new float[] {0.5f}, new int[] {0});
        // 2 px shift: IoU 98*100 / (102*100) = 0.961 < 0.99
        assertEquals(0, m.count(a, dets(new float[] {2, 0, 102, 100}, new float[] {0.5f}, new int[] {0})));
        // score off by 2e-4 > 1e-4
        assertEquals(0, m.count(a, dets(new float[] {0, 0, 100, 100}, new float[] {0.5002f}, new int[] {0})));
        assertEquals(1, m.count(a, dets(new float[] {0, 0, 100, 100}, new float[] {0.50005f}, new int[] {0})));
    }

    @Test
    void eachDetectionIsUsedOnceAndTheHigherScoreChoosesFirst() {
        DetectionMatcher m = DetectionMatcher.standard();
        Detections a = dets(new float[] {0, 0, 10, 10, 0, 0, 10, 10}, new float[] {0.6f, 0.6f}, new int[] {0, 0});
        Detections b = dets(new float[] {0, 0, 10, 10}, new float[] {0.6f}, new int[] {0});
        assertEquals(1, m.count(a, b));
        assertEquals(1, m.count(b, a));
    }

    @Test
    void areaLessBoxesMatchWhenTheirCoordinatesAgree() {
        assertEquals(1.0, DetectionMatcher.iou(new float[] {320, 0, 320, 0}, new float[] {320, 0, 320.005f, 0}));
        assertEquals(0.0, DetectionMatcher.iou(new float[] {320, 0, 320, 0}, new float[] {300, 0, 320, 0}));
    }

    @Test
    void relativeDifferenceUsesTheFloorNearZero() {
        OutputDiff.Accumulator acc = new OutputDiff.Accumulator("cls_score", 2, 1e-3);
        acc.add(new float[] {1e-5f, 2f, -4f}, new float[] {3e-5f, 2.002f, -4f}, "a.png");
        acc.add(new float[] {0f}, new float[] {0.0005f}, "b.png");
        OutputDiff d = acc.result();
        assertEquals("cls_score_2", d.name());
        assertEquals(4, d.elements());
        assertEquals(0.002, d.maxAbs(), 1e-6);
        assertEquals("a.png", d.worstImage());
        assertEquals(0.5, d.maxRel(), 1e-3); // 0.0005 / floor 0.001, not 0.0005 / 0.0005
    }
}
