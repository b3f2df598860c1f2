package org.aligndet.trainer.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DetectionsTest {
    static final Detections D = new Detections("x.jpg", Detections.NO_ID, new float[] {10, 20, 40, 25.5f, 0, 0, 1, 1},
            new float[] {0.75f, 0.5f}, new int[] {2, 0});

    @Test
    void cocoEntriesUseXywhAndTheCategoryMap() {
        List<CocoResult> r = D.withImage("x.jpg", 42).toCoco(new long[] {1, 3, 18});
        assertEquals(2, r.size());
        assertEquals(42, r.get(0).imageId());
        assertEquals(18, r.get(0).categoryId());
        assertArrayEquals(new double[] {10, 20, 30, 5.5}, r.get(0).bbox());
        assertEquals(0.75, r.get(0).score());
        assertEquals(1, r.get(1).categoryId());
    }

    @Test
    void missingIdsAndCategoriesAreNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> D.toCoco(new long[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("x.jpg"), e.getMessage());
        IllegalStateException c = assertThrows(IllegalStateException.class, () -> D.withImage("x.jpg", 1).toCoco(new long[] {1}));
        assertTrue(c.getMessage().contains("label 2"), c.getMessage());
        assertEquals(0, Detections.empty("y", Detections.NO_ID).toCoco(new long[0]).size());
        assertThrows(IllegalArgumentException.class, () -> new Detections("z", 1, new float[4], new float[2], new int[2]));
    }
}
