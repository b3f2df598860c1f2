package org.aligndet.trainer.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The record itself; its conversions to COCO results are tested with them (export's CocoDetectionsTest). */
class DetectionsTest {
    static final Detections D = new Detections("x.jpg", Detections.NO_ID, new float[] {10, 20, 40, 25.5f, 0, 0, 1, 1},
            new float[] {0.75f, 0.5f}, new int[] {2, 0});

    @Test
    void boxesAndImageIdentity() {
        assertEquals(2, D.size());
        assertArrayEquals(new float[] {0, 0, 1, 1}, D.box(1));
        Detections named = D.withImage("y.jpg", 42);
        assertEquals("y.jpg", named.key());
        assertEquals(42, named.imageId());
        assertSame(D.boxes(), named.boxes(), "withImage shares the arrays");
        assertEquals(0, Detections.empty("z", 1).size());
    }

    @Test
    void columnsMustAgree() {
        assertThrows(IllegalArgumentException.class, () -> new Detections("z", 1, new float[4], new float[2], new int[2]));
    }
}
