package org.aligndet.bridge.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SparseEntriesTest {
    @Test
    void entriesComeBackInOrderWhetherTheListGrewOrWasSizedExactly() {
        for (int capacity : new int[] {1, 3, 5, 64}) {
            SparseEntries e = new SparseEntries(capacity);
            for (int i = 0; i < 5; i++) {
                e.add(i, 10 + i, 0.5f * i);
            }
            String what = "capacity " + capacity;
            assertEquals(5, e.size(), what);
            assertArrayEquals(new long[] {0, 1, 2, 3, 4}, e.rows(), what);
            assertArrayEquals(new long[] {10, 11, 12, 13, 14}, e.cols(), what);
            assertArrayEquals(new float[] {0f, 0.5f, 1f, 1.5f, 2f}, e.values(), what);
        }
        SparseEntries empty = new SparseEntries(0);
        assertEquals(0, empty.rows().length);
        assertEquals(0, empty.values().length);
    }
}
