package org.aligndet.trainer.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BoxListTest {
    private final BoxList boxes = new BoxList(new float[] {0, 0, 10, 20, 5.5f, 1, 7.25f, 3, 90, 40, 120, 60},
            new long[] {7, 8, 9}, new int[] {-1, -1, -1});

    @Test
    void flipTwiceIsIdentity() {
        assertEquals(boxes, boxes.flipHorizontal(100).flipHorizontal(100));
    }

    @Test
    void flipUsesContinuousCorners() {
        BoxList f = boxes.flipHorizontal(100);
        assertArrayEquals(new float[] {90, 0, 100, 20}, new float[] {f.get(0, 0), f.get(0, 1), f.get(0, 2), f.get(0, 3)});
        assertEquals(92.75f, f.get(1, 0));
        assertEquals(94.5f, f.get(1, 2));
    }

    @Test
    void scaleMultipliesEachAxis() {
        BoxList s = boxes.scale(2f, 0.5f);
        assertArrayEquals(new float[] {11, 0.5f, 14.5f, 1.5f}, new float[] {s.get(1, 0), s.get(1, 1), s.get(1, 2), s.get(1, 3)});
    }

    @Test
    void clipDropsDegenerateAndKeepsIds() {
        BoxList c = boxes.clipAndDrop(100, 50, 0f);
        assertArrayEquals(new long[] {7, 8, 9}, c.ids());
        assertArrayEquals(new float[] {90, 40, 100, 50}, new float[] {c.get(2, 0), c.get(2, 1), c.get(2, 2), c.get(2, 3)});
        BoxList d = boxes.clipAndDrop(80, 50, 0f); // box 9 starts at x=90: nothing left
        assertArrayEquals(new long[] {7, 8}, d.ids());
        BoxList e = boxes.clipAndDrop(100, 50, 2f); // box 8 is 1.75 wide
        assertArrayEquals(new long[] {7, 9}, e.ids());
    }
}
