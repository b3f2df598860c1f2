package org.aligndet.trainer.box;

import static org.aligndet.trainer.testing.Reference.assertClose;
import static org.aligndet.trainer.testing.Reference.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

class BoxesTest {
    @Test
    void iouRowsEqualTheMatrixBitForBit() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        float[] a = randomBoxes(rng, 7);
        float[] b = randomBoxes(rng, 301);
        a[4] = a[6] = 10f; // a degenerate box: the union's floor decides
        float[] full = Boxes.iou(a, b);
        Boxes.Columns cols = Boxes.Columns.of(b);
        float[] row = new float[cols.size()];
        for (int i = 0; i < 7; i++) {
            Boxes.iouRow(a, i, cols, row);
            for (int j = 0; j < row.length; j++) {
                assertEquals(Float.floatToRawIntBits(full[i * row.length + j]), Float.floatToRawIntBits(row[j]),
                        "row " + i + ", column " + j);
            }
        }
    }

    private static float[] randomBoxes(java.util.SplittableRandom rng, int n) {
        float[] out = new float[4 * n];
        for (int k = 0; k < n; k++) {
            float x = (float) (rng.nextDouble() * 90), y = (float) (rng.nextDouble() * 90);
            out[4 * k] = x;
            out[4 * k + 1] = y;
            out[4 * k + 2] = x + (float) (rng.nextDouble() * 40);
            out[4 * k + 3] = y + (float) (rng.nextDouble() * 40);
        }
        return out;
    }

    static final JsonNode REF = Reference.load("boxes");

    @Test
    void iouAndGiouOfTwoUnitBoxesByHand() {
        float[] a = {0, 0, 1, 1};
        float[] b = {0.5f, 0, 1.5f, 1}; // overlap 0.5, union 1.5, enclosure 1.5
        assertEquals(1f / 3, Boxes.iou(a, b)[0], 1e-7);
        assertEquals(1f / 3, Boxes.giou(a, b)[0], 1e-7);
        float[] c = {2, 0, 3, 1}; // disjoint: enclosure 3, union 2
        assertEquals(0f, Boxes.iou(a, c)[0]);
        assertEquals(-1f / 3, Boxes.giou(a, c)[0], 1e-7);
        assertEquals(1f, Boxes.iou(a, a)[0]);
    }

    @Test
    void degenerateBoxesGiveZeroNotNaN() {
        float[] point = {1, 1, 1, 1};
        assertEquals(0f, Boxes.iou(point, point)[0]);
    }

    @Test
    void float64IouByHand() {
        // [0,0,10,10] vs [5,0,15,10]: inter 50, union 150; touching boxes do not overlap
        assertEquals(1.0 / 3, Boxes.iouFloat64(new double[] {0, 0, 10, 10}, new double[] {5, 0, 15, 10}), 1e-12);
        assertEquals(0, Boxes.iouFloat64(new double[] {0, 0, 10, 10}, new double[] {10, 0, 20, 10}));
    }

    @Test
    void nmsIouHasNoFloorSoEmptyBoxesGiveNaN() {
        float[] b = {0, 0, 1, 1, 0.5f, 0, 1.5f, 1, 2, 2, 2, 2};
        assertEquals(1f / 3, Boxes.nmsIouFloat32(b, 0, 1), 1e-7);
        assertEquals(Boxes.nmsIouFloat32(b, 0, 1), Boxes.nmsIouFloat32(b, 1, 0));
        assertTrue(Float.isNaN(Boxes.nmsIouFloat32(b, 2, 2)), "0 / 0 for a box without area");
    }

    @Test
    void cocoIouUsesXywhAndTheDetectionAreaForCrowds() {
        // d = [0,0,10,10], g = [5,0,10,10]: inter 50; union 150, or the detection's 100 for a crowd g
        assertEquals(1.0 / 3, Boxes.cocoIouFloat64(0, 0, 10, 10, 5, 0, 10, 10, false), 0.0);
        assertEquals(0.5, Boxes.cocoIouFloat64(0, 0, 10, 10, 5, 0, 10, 10, true), 0.0);
        assertEquals(0.0, Boxes.cocoIouFloat64(0, 0, 10, 10, 10, 0, 10, 10, false), 0.0);
    }

    @Test
    void vocIouCountsInclusivePixels() {
        // [1,1,10,10] is 10x10 pixels, [6,1,10,10] 5x10 of them: IoU 50/100
        assertEquals(0.5, Boxes.vocIouFloat64(1, 1, 10, 10, 6, 1, 10, 10), 0.0);
        assertEquals(0.5f, Boxes.vocIouFloat32(1, 1, 10, 10, 6, 1, 10, 10), 0f);
        // one pixel touching: inclusive corners overlap by one column
        assertEquals(10.0 / 190, Boxes.vocIouFloat64(1, 1, 10, 10, 10, 1, 19, 10), 1e-15);
    }

    @Test
    void matchTorchvision() {
        float[] a = floats(REF.get("a")), b = floats(REF.get("b"));
        assertClose(floats(REF.get("iou")), Boxes.iou(a, b), "iou");
        assertClose(floats(REF.get("giou")), Boxes.giou(a, b), "giou");
        assertClose(floats(REF.get("area")), Boxes.area(a), "area");
        assertClose(floats(REF.get("clipped")),
                Boxes.clip(floats(REF.get("toClip")), REF.get("clipW").floatValue(), REF.get("clipH").floatValue()), "clip");
    }

    @Test
    void shapesOfEmptyInputs() {
        assertEquals(0, Boxes.iou(new float[0], new float[] {0, 0, 1, 1}).length);
        assertEquals(0, Boxes.giou(new float[] {0, 0, 1, 1}, new float[0]).length);
        assertThrows(IllegalArgumentException.class, () -> Boxes.area(new float[3]));
    }

    @Test
    void formatsMatchTorchvisionAndRoundTrip() {
        float[] a = floats(REF.get("a"));
        float[] a0 = a.clone();
        assertClose(floats(REF.get("cxcywh")), BoxFormat.convert(a, BoxFormat.XYXY, BoxFormat.CXCYWH), "cxcywh");
        assertClose(floats(REF.get("xywh")), BoxFormat.convert(a, BoxFormat.XYXY, BoxFormat.XYWH), "xywh");
        for (BoxFormat f : BoxFormat.values()) {
            for (BoxFormat g : BoxFormat.values()) {
                float[] back = BoxFormat.convert(BoxFormat.convert(a, BoxFormat.XYXY, f), f, BoxFormat.XYXY);
                float[] via = BoxFormat.convert(BoxFormat.convert(BoxFormat.convert(a, BoxFormat.XYXY, f), f, g), g, BoxFormat.XYXY);
                assertClose(a, back, "xyxy→" + f + "→xyxy");
                assertClose(a, via, "xyxy→" + f + "→" + g + "→xyxy");
            }
        }
        assertArrayEquals(a0, a, "convert must not change its input");
        assertArrayEquals(new float[] {1, 2, 4, 6}, BoxFormat.convert(new float[] {1, 2, 3, 4}, BoxFormat.XYWH, BoxFormat.XYXY));
    }
}
