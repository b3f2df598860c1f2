package org.aligndet.trainer.mask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

class MaskPasteTest {

    @Test
    void pasteMatchesGridSample() {
        JsonNode f = MaskFixtures.load("mask_paste");
        int h = f.get("height").asInt();
        int w = f.get("width").asInt();
        int s = f.get("size").asInt();
        float[] probs = Reference.floats(f.get("probs"));
        JsonNode cases = f.get("cases");
        float[] boxes = new float[4 * cases.size()];
        for (int k = 0; k < cases.size(); k++) {
            JsonNode c = cases.get(k);
            float[] b = Reference.floats(c.get("box"));
            System.arraycopy(b, 0, boxes, 4 * k, 4);
            float[] pasted = MaskPaste.pastedProbabilities(probs, k * s * s, s, s, b[0], b[1], b[2], b[3], h, w);
            Reference.assertClose(Reference.floats(c.get("pasted")), pasted, 1e-5, "detection " + k + " pasted probabilities");
            // the CPU window and the whole-image (GPU) paste give the same binary mask at threshold 0.5, except
            // for an empty box, whose infinite grid coordinates become 0: the whole image then reads the map's
            // centre along every row (or column), the window only near the box
            if (b[2] > b[0] && b[3] > b[1]) {
                assertEquals(c.get("binary").asText(), c.get("binaryWholeImage").asText(), "fixture " + k + " window vs whole image");
            }
        }
        List<Rle> masks = MaskPaste.mmdetection().paste(probs, s, s, boxes, h, w);
        assertEquals(cases.size(), masks.size());
        for (int k = 0; k < cases.size(); k++) {
            assertEquals(h, masks.get(k).height());
            assertEquals(w, masks.get(k).width());
            assertEquals(cases.get(k).get("binary").asText(), MaskFixtures.bits(masks.get(k)), "detection " + k + " binary mask");
        }
        float[] original = MaskPaste.toOriginal(Reference.floats(f.get("viewBoxes")), (float) f.get("scaleW").asDouble(),
                (float) f.get("scaleH").asDouble());
        Reference.assertClose(Reference.floats(f.get("originalBoxes")), original, 1e-6, "boxes / scale factor");
    }

    @Test
    void handComputed() {
        // a 2x2 map of ones pasted into box (1, 1, 3, 3) of a 4x4 image: pixel centres 1.5 and 2.5 map to
        // map positions 0 and 1 exactly → 1 inside the box; just outside, position -1 or 2 → bilinear weight
        // 0 → 0. Threshold 0.5: the 2x2 block
        float[] ones = {1, 1, 1, 1};
        Rle m = MaskPaste.mmdetection().paste(ones, 0, 2, 2, 1, 1, 3, 3, 4, 4);
        assertEquals("0000" + "0110" + "0110" + "0000", MaskFixtures.bits(m));
        float[] p = MaskPaste.pastedProbabilities(ones, 0, 2, 2, 1, 1, 3, 3, 4, 4);
        assertEquals(1f, p[1 * 4 + 1]);
        assertEquals(0f, p[0]);
        // box (0.5, 0.5, 3.5, 3.5): centres 0.5 .. 3.5 sit at map positions -0.5, 1/6, 5/6, 1.5, reading
        // 0.5, 1, 1, 0.5 of the ones per axis: edges 0.5 (kept, >= 0.5), corners 0.25 (dropped) → 12 pixels
        Rle box = MaskPaste.mmdetection().paste(ones, 0, 2, 2, 0.5f, 0.5f, 3.5f, 3.5f, 4, 4);
        assertEquals("0110" + "1111" + "1111" + "0110", MaskFixtures.bits(box));
        // a box outside the image: empty mask of the image's size
        Rle none = MaskPaste.mmdetection().paste(ones, 0, 2, 2, 10, 10, 12, 12, 4, 4);
        assertEquals(0, none.area());
        assertEquals(4, none.height());
        assertThrows(IllegalArgumentException.class, () -> MaskPaste.mmdetection().paste(new float[3], 2, 2, new float[4], 4, 4));
        assertThrows(IllegalArgumentException.class, () -> new MaskPaste(1.5));
    }
}
