package org.aligndet.trainer.mask;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-derived cases for {@link Rle}: pycocotools' encoding, string codec, polygon rasterisation and IoU. */
class RleTest {
    /** An h x w mask with pixels (x, y) for x in [x0, x1), y in [y0, y1) set, column-major. */
    private static boolean[] rect(int h, int w, int x0, int y0, int x1, int y1) {
        boolean[] m = new boolean[h * w];
        for (int x = x0; x < x1; x++) {
            for (int y = y0; y < y1; y++) {
                m[x * h + y] = true;
            }
        }
        return m;
    }

    @Test
    void encodesColumnMajorStartingWithZeros() {
        // 3 x 2 (h = 3, w = 2), pixels (x, y): column 0 = rows 0..2, column 1 = rows 0..2.
        // Set (0, 1), (0, 2), (1, 0): column-major 0 1 1 | 1 0 0 -> runs 1 zero, 3 ones, 2 zeros.
        boolean[] m = new boolean[6];
        m[1] = true;
        m[2] = true;
        m[3] = true;
        Rle r = Rle.encode(3, 2, m);
        assertArrayEquals(new int[]{1, 3, 2}, r.counts());
        assertEquals(3, r.area());
        assertArrayEquals(m, r.decode());
        // a mask that starts with a 1 has an empty first run
        assertArrayEquals(new int[]{0, 2, 4}, Rle.encode(3, 2, new boolean[]{true, true, false, false, false, false}).counts());
    }

    @Test
    void encodeDecodeRoundTripsRandomMasks() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int h = 1 + rnd.nextInt(20);
            int w = 1 + rnd.nextInt(20);
            boolean[] m = new boolean[h * w];
            for (int i = 0; i < m.length; i++) {
                m[i] = rnd.nextInt(3) == 0;
            }
            Rle r = Rle.encode(h, w, m);
            assertArrayEquals(m, r.decode());
            long ones = 0;
            for (boolean b : m) {
                ones += b ? 1 : 0;
            }
            assertEquals(ones, r.area());
            assertEquals(r, Rle.fromString(r.toString(), h, w), "string round trip");
            assertEquals(r, Rle.of(h, w, java.util.Arrays.stream(r.counts()).asLongStream().toArray()));
        }
    }

    /**
     * The compressed string, derived by hand from the documented algorithm: for run i, x = counts[i]
     * (minus counts[i - 2] when i > 2); repeatedly c = x & 0x1f, x >>= 5 (arithmetic); more groups
     * follow while x != 0 (or x != -1 when c's sign bit 0x10 is set); a following group sets 0x20;
     * the character is 48 + c.
     */
    @Test
    void stringCodecMatchesTheAlgorithmByHand() {
        // [3, 2, 5]: no deltas (i <= 2), each < 16 so one char: '0'+3, '0'+2, '0'+5
        assertEquals("325", Rle.of(1, 10, new long[]{3, 2, 5}).toString());
        // [1, 2, 3, 4]: run 3 is 4 - counts[1] = 2 -> "1232"
        assertEquals("1232", Rle.of(1, 10, new long[]{1, 2, 3, 4}).toString());
        // [0, 10, 5, 3] (18 px): run 3 is 3 - 10 = -7; -7 & 0x1f = 25 (...11001), -7 >> 5 = -1 and
        // 25 has 0x10 set, so no more groups: '0' + 25 = 'I'; run 1 is 10 -> ':' -> "0:5I"
        assertEquals("0:5I", Rle.of(1, 18, new long[]{0, 10, 5, 3}).toString());
        // 100 = 3 * 32 + 4: group 4 then 3; 4 | 0x20 = 36 -> 'T', then '3' -> "T3"
        assertEquals("T3", Rle.of(1, 100, new long[]{100}).toString());
        // 16: c = 16 has the sign bit but x >> 5 = 0 != -1, so a second group is needed:
        // (16 | 0x20) + 48 = 96 = '`', then 0 -> '0' -> "`0"
        assertEquals("`0", Rle.of(1, 16, new long[]{16}).toString());
        // decoding the same strings gives the runs back
        assertArrayEquals(new int[]{0, 10, 5, 3}, Rle.fromString("0:5I", 1, 18).counts());
        assertArrayEquals(new int[]{100}, Rle.fromString("T3", 10, 10).counts());
        assertArrayEquals(new int[]{16}, Rle.fromString("`0", 4, 4).counts());
        assertArrayEquals(new int[]{3, 2, 5}, Rle.fromString("325", 2, 5).counts());
    }

    @Test
    void malformedInputIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rle.of(2, 3, new long[]{1, 2}));
        assertTrue(e.getMessage().contains("sum to 3, not h * w = 2 * 3 = 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rle.of(2, 3, new long[]{1, -2, 7}));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rle.fromString("32", 2, 3));
        assertTrue(e.getMessage().contains("sum to 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rle.fromString("3~", 2, 3));
        assertTrue(e.getMessage().contains("'~'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rle.fromString("3T", 2, 3));
        assertTrue(e.getMessage().contains("ends inside a number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rle.fromPolygon(new double[]{1, 2, 3}, 5, 5));
        assertTrue(e.getMessage().contains("pairs"), e.getMessage());
    }

    @Test
    void emptyRunsInsideAreMergedAway() {
        // 2 zeros, 0 ones, 1 zero, 3 ones = 3 zeros, 3 ones
        assertArrayEquals(new int[]{3, 3}, Rle.of(2, 3, new long[]{2, 0, 1, 3}).counts());
    }

    /**
     * An integer-aligned rectangle polygon (x0, y0)-(x1, y1): vertices scaled by 5 are exact; the
     * top and bottom edges cross every column centre x + 0.5 with x in [x0, x1), giving boundaries
     * at rows ceil(y0 - 0.4) = y0 and ceil(y1 - 0.4) = y1, so the mask is columns x0..x1-1, rows
     * y0..y1-1: exactly (x1 - x0) * (y1 - y0) pixels.
     */
    @Test
    void integerRectanglePolygonIsExactlyItsPixels() {
        Rle r = Rle.fromPolygon(new double[]{2, 1, 2, 4, 5, 4, 5, 1}, 6, 7);
        assertEquals(Rle.encode(6, 7, rect(6, 7, 2, 1, 5, 4)), r);
        assertEquals(9, r.area());
        assertArrayEquals(new double[]{2, 1, 3, 3}, r.bbox());
        // the same box through frBbox's polygon; and listed in the other direction
        assertEquals(r, Rle.fromBox(2, 1, 3, 3, 6, 7));
        assertEquals(r, Rle.fromPolygon(new double[]{2, 1, 5, 1, 5, 4, 2, 4}, 6, 7));
        // clipped by the image: x in [5, 9) on a 7-wide image keeps columns 5, 6; rows up to h
        assertEquals(Rle.encode(6, 7, rect(6, 7, 5, 3, 7, 6)), Rle.fromPolygon(new double[]{5, 3, 5, 9, 9, 9, 9, 3}, 6, 7));
    }

    /**
     * Triangle (0, 0), (0, 4), (4, 0) on 5 x 5. Scaled: (0, 0), (0, 20), (20, 0). The hypotenuse
     * walks u = d, v = 20 - d (d = 0..20); a column boundary is where u - 1 = 5n + 2, i.e. d = 3, 8,
     * 13, 18, at row ceil((20 - d + 0.5) / 5 - 0.5) = 3, 2, 1, 0 for columns 0..3; the bottom edge
     * gives row 0 in columns 0..3. Column n is rows [0, 3 - n): 3 + 2 + 1 + 0 = 6 pixels (those
     * whose centres lie inside, x + y < 3). Sorted toggles 0, 3, 5, 7, 10, 11, 15, 15, and 25 closes:
     * runs 0, 3, 2, 2, 3, 1, 4, 0, 10, where the empty run joins 4 and 10.
     */
    @Test
    void trianglePolygonByHand() {
        Rle r = Rle.fromPolygon(new double[]{0, 0, 0, 4, 4, 0}, 5, 5);
        assertArrayEquals(new int[]{0, 3, 2, 2, 3, 1, 14}, r.counts());
        assertEquals(6, r.area());
        boolean[] want = new boolean[25];
        for (int x = 0; x < 5; x++) {
            for (int y = 0; y < 5; y++) {
                want[x * 5 + y] = x + y < 3;
            }
        }
        assertArrayEquals(want, r.decode());
    }

    @Test
    void degeneratePolygonsAreEmpty() {
        assertEquals(0, Rle.fromPolygon(new double[]{}, 4, 4).area());
        assertEquals(0, Rle.fromPolygon(new double[]{1, 1}, 4, 4).area());
        // repeated vertices do not change the rectangle
        assertEquals(Rle.encode(4, 4, rect(4, 4, 1, 1, 3, 3)), Rle.fromPolygon(new double[]{1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 1}, 4, 4));
    }

    @Test
    void unionMergesPolygonsOfOneObject() {
        Rle a = Rle.encode(6, 6, rect(6, 6, 0, 0, 3, 3));
        Rle b = Rle.encode(6, 6, rect(6, 6, 2, 2, 5, 5));
        boolean[] both = rect(6, 6, 0, 0, 3, 3);
        boolean[] other = rect(6, 6, 2, 2, 5, 5);
        for (int i = 0; i < both.length; i++) {
            both[i] |= other[i];
        }
        Rle u = Rle.union(List.of(a, b));
        assertEquals(Rle.encode(6, 6, both), u);
        assertEquals(9 + 9 - 1, u.area());
        assertEquals(a, Rle.union(List.of(a)));
        assertThrows(IllegalArgumentException.class, () -> Rle.union(List.of(a, Rle.encode(5, 6, new boolean[30]))));
        // an object of two polygons, as Segmentation.Polygons merges them
        Rle poly = new Segmentation.Polygons(List.of(new double[]{0, 0, 0, 3, 3, 3, 3, 0}, new double[]{2, 2, 2, 5, 5, 5, 5, 2})).toRle(6, 6);
        assertEquals(u, poly);
    }

    @Test
    void iouWithAndWithoutCrowd() {
        // dt: 4 x 4 at (0, 0); gt: 4 x 4 at (2, 2); overlap 2 x 2 = 4
        Rle dt = Rle.encode(10, 10, rect(10, 10, 0, 0, 4, 4));
        Rle gt = Rle.encode(10, 10, rect(10, 10, 2, 2, 6, 6));
        assertEquals(4.0 / (16 + 16 - 4), Rle.iou(dt, gt, false), 0.0);
        // crowd: intersection over the detection's own area
        assertEquals(4.0 / 16, Rle.iou(dt, gt, true), 0.0);
        // a detection inside a crowd region scores 1 against it
        Rle inside = Rle.encode(10, 10, rect(10, 10, 3, 3, 5, 5));
        assertEquals(1.0, Rle.iou(inside, gt, true), 0.0);
        assertEquals(4.0 / 16, Rle.iou(inside, gt, false), 0.0);
        // disjoint masks and empty masks score 0
        assertEquals(0.0, Rle.iou(Rle.encode(10, 10, rect(10, 10, 7, 7, 9, 9)), dt, false), 0.0);
        assertEquals(0.0, Rle.iou(Rle.encode(10, 10, new boolean[100]), gt, true), 0.0);
        assertEquals(1.0, Rle.iou(gt, gt, false), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Rle.iou(dt, Rle.encode(5, 20, new boolean[100]), false));
    }

    @Test
    void bboxOfARunAcrossColumnsSpansEveryRow() {
        // 4 x 3: ones from (0, 3) to (1, 0): two columns, rows 3 and 0 -> every row
        Rle r = Rle.of(4, 3, new long[]{3, 2, 7});
        assertArrayEquals(new double[]{0, 0, 2, 4}, r.bbox());
        assertArrayEquals(new double[]{0, 0, 0, 0}, Rle.of(4, 3, new long[]{12}).bbox());
    }

    @Test
    void segmentationFormsGiveTheSameMask() {
        Rle want = Rle.encode(6, 7, rect(6, 7, 2, 1, 5, 4));
        long[] runs = java.util.Arrays.stream(want.counts()).asLongStream().toArray();
        assertEquals(want, new Segmentation.Counts(6, 7, runs).toRle(0, 0));
        assertEquals(want, new Segmentation.Compressed(6, 7, want.toString()).toRle(0, 0));
        assertEquals(want, new Segmentation.Polygons(List.of(new double[]{2, 1, 2, 4, 5, 4, 5, 1})).toRle(6, 7));
        // a first entry of exactly 4 numbers makes the list boxes [x, y, w, h], as in pycocotools
        assertEquals(want, new Segmentation.Polygons(List.of(new double[]{2, 1, 3, 3})).toRle(6, 7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Segmentation.Counts(6, 7, new long[]{5, 5}).toRle(0, 0));
        assertTrue(e.getMessage().contains("sum to 10, not h * w = 6 * 7 = 42"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Segmentation.Polygons(List.of(new double[]{1, 2, 3, 4, 5, 6})).toRle(0, 0));
        assertTrue(e.getMessage().contains("width and height"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Segmentation.Polygons(List.of()).toRle(6, 7));
    }
}
