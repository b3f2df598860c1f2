package org.aligndet.trainer.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Hand-computed cases: IoU and score thresholds (strict), classes independent, caps, ties. */
class MultiClassNmsTest {
    static final float[] A = {0, 0, 10, 10};

    static float[] boxes(float[]... b) {
        float[] out = new float[4 * b.length];
        for (int i = 0; i < b.length; i++) {
            System.arraycopy(b[i], 0, out, 4 * i, 4);
        }
        return out;
    }

    @Test
    void suppressesOnlyStrictlyAboveTheIouThreshold() {
        // (0,0,10,5) inside A: inter 50, union 100, IoU exactly 0.5
        float[] b = boxes(A, new float[] {0, 0, 10, 5});
        float[] s = {0.9f, 0.8f};
        assertEquals(2, new MultiClassNms(0.05f, 0.5, 100, 100).apply(b, s, 2, 1).size(), "IoU == thr keeps");
        assertEquals(1, new MultiClassNms(0.05f, 0.4999, 100, 100).apply(b, s, 2, 1).size(), "IoU > thr suppresses");
        assertEquals(2, new MultiClassNms(0.05f, 0.5001, 100, 100).apply(b, s, 2, 1).size());
    }

    @Test
    void iouIsFloat32ComparedWithADoubleThreshold() {
        // IoU 60/100 in float32 is 0.6000000238 > 0.6 (double), so torchvision suppresses at nms_iou 0.6
        float[] b = boxes(A, new float[] {0, 0, 10, 6});
        Detections d = new MultiClassNms(0.05f, 0.6, 100, 100).apply(b, new float[] {0.9f, 0.8f}, 2, 1);
        assertEquals(1, d.size());
        assertEquals(0.9f, d.scores()[0]);
    }

    @Test
    void classesAreIndependent() {
        // two identical boxes: one per class both survive; within one class the weaker goes
        float[] b = boxes(A, A);
        float[] s = {0.9f, 0.1f, 0.2f, 0.7f}; // candidate-major [2, 2]
        Detections d = new MultiClassNms(0.05f, 0.5, 100, 100).apply(b, s, 2, 2);
        assertArrayEquals(new float[] {0.9f, 0.7f}, d.scores());
        assertArrayEquals(new int[] {0, 1}, d.labels());
        float[] same = {0.9f, 0.1f, 0.8f, 0.1f};
        Detections d2 = new MultiClassNms(0.05f, 0.5, 100, 100).apply(b, same, 2, 2);
        assertArrayEquals(new float[] {0.9f, 0.1f}, d2.scores()); // class 0 keeps one, class 1 keeps one
        assertArrayEquals(new int[] {0, 1}, d2.labels());
    }

    @Test
    void scoreThresholdIsStrict() {
        float[] b = boxes(A, new float[] {20, 20, 30, 30}, new float[] {40, 40, 50, 50});
        float[] s = {0.05f, Math.nextUp(0.05f), 0.04f};
        Detections d = new MultiClassNms(0.05f, 0.5, 100, 100).apply(b, s, 3, 1);
        assertEquals(1, d.size());
        assertArrayEquals(new float[] {20, 20, 30, 30}, d.box(0));
    }

    @Test
    void capsPerClassAndInTotal() {
        float[] b = new float[4 * 4];
        for (int i = 0; i < 4; i++) {
            System.arraycopy(new float[] {20 * i, 0, 20 * i + 10, 10}, 0, b, 4 * i, 4);
        }
        // class 0: 0.9 0.8 0.7 0.6; class 1: 0.85 0.75 0.65 0.55
        float[] s = {0.9f, 0.85f, 0.8f, 0.75f, 0.7f, 0.65f, 0.6f, 0.55f};
        Detections d = new MultiClassNms(0.05f, 0.5, 2, 3).apply(b, s, 4, 2);
        assertArrayEquals(new float[] {0.9f, 0.85f, 0.8f}, d.scores());
        assertArrayEquals(new int[] {0, 1, 0}, d.labels());
        assertArrayEquals(new float[] {20, 0, 30, 10}, d.box(2));
        Detections wide = new MultiClassNms(0.05f, 0.5, 2, 100).apply(b, s, 4, 2);
        assertArrayEquals(new float[] {0.9f, 0.85f, 0.8f, 0.75f}, wide.scores()); // two per class
    }

    @Test
    void perClassCapCountsKeptBoxesAfterSuppression() {
        // the second box is suppressed by the first; the cap of 2 then takes the third
        float[] b = boxes(A, A, new float[] {20, 20, 30, 30});
        Detections d = new MultiClassNms(0.05f, 0.5, 2, 100).apply(b, new float[] {0.9f, 0.8f, 0.7f}, 3, 1);
        assertArrayEquals(new float[] {0.9f, 0.7f}, d.scores());
    }

    @Test
    void zeroAreaBoxesNeverSuppressEachOther() {
        float[] line = {5, 0, 5, 10};
        Detections d = new MultiClassNms(0.05f, 0.5, 100, 100).apply(boxes(line, line), new float[] {0.9f, 0.8f}, 2, 1);
        assertEquals(2, d.size()); // IoU 0/0 is NaN, which is not > thr (torchvision alike)
    }

    @Test
    void tiesGoToTheLowerCandidateThenTheLowerClass() {
        float[] b = boxes(new float[] {20, 20, 30, 30}, A);
        Detections d = new MultiClassNms(0.05f, 0.5, 100, 100).apply(b, new float[] {0.5f, 0.5f}, 2, 1);
        assertArrayEquals(new float[] {20, 20, 30, 30}, d.box(0));
        Detections cross = new MultiClassNms(0.05f, 0.5, 100, 100).apply(boxes(A, new float[] {20, 20, 30, 30}),
                new float[] {0f, 0.5f, 0.5f, 0f}, 2, 2);
        assertArrayEquals(new int[] {0, 1}, cross.labels());
        assertArrayEquals(new float[] {20, 20, 30, 30}, cross.box(0)); // class 0 is candidate 1
    }

    @Test
    void nothingAboveTheThresholdIsEmpty() {
        Detections d = new MultiClassNms(0.05f, 0.5, 100, 100).apply(boxes(A), new float[] {0.01f}, 1, 1);
        assertEquals(0, d.size());
        assertEquals(0, new MultiClassNms(0.05f, 0.5, 100, 100).apply(new float[0], new float[0], 0, 3).size());
    }
}
