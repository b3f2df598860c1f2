package org.aligndet.export.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.aligndet.trainer.infer.Detections;
import org.junit.jupiter.api.Test;

/** The two ways a model's {@link Detections} become COCO results (moved here with trainer's former {@code Detections.toCoco}). */
class CocoDetectionsTest {
    static final Detections D = new Detections("x.jpg", Detections.NO_ID, new float[] {10, 20, 40, 25.5f, 0, 0, 1, 1},
            new float[] {0.75f, 0.5f}, new int[] {2, 0});

    @Test
    void exactEntriesUseXywhAndTheCategoryMap() {
        CocoDetections r = CocoDetections.builder().add(D.withImage("x.jpg", 42), new long[] {1, 3, 18}).build();
        assertEquals(2, r.size());
        assertEquals(42, r.imageId(0));
        assertEquals(18, r.categoryId(0));
        assertArrayEquals(new double[] {10, 20, 30, 5.5}, r.bbox(0));
        assertEquals(0.75, r.score(0));
        assertEquals(1, r.categoryId(1));
    }

    @Test
    void missingIdsAndCategoriesAreNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CocoDetections.builder().add(D, new long[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("x.jpg"), e.getMessage());
        IllegalStateException c = assertThrows(IllegalStateException.class,
                () -> CocoDetections.builder().add(D.withImage("x.jpg", 1), new long[] {1}));
        assertTrue(c.getMessage().contains("label 2"), c.getMessage());
        assertEquals(0, CocoDetections.builder().add(Detections.empty("y", Detections.NO_ID), new long[0]).size());
    }

    @Test
    void asWrittenEntriesAreShortestDecimals() {
        Detections d = new Detections("a.jpg", 7, new float[] {33.3f, 0.1f, 40.7f, 0.1f}, new float[] {0.3f}, new int[] {0});
        CocoDetections r = CocoDetections.builder().addAsWritten(d, l -> l + 1).build();
        assertEquals(7, r.imageId(0));
        assertEquals(1, r.categoryId(0));
        assertArrayEquals(new double[] {33.3, 0.1, 40.7 - 33.3, 0}, r.bbox(0), "x2 - x1 of the decimals; no negative height");
        assertEquals(0.3, r.score(0), "0.3f as 0.3, not 0.30000001192092896");
    }
}
