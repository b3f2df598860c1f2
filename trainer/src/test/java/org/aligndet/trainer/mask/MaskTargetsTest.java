package org.aligndet.trainer.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.testing.Reference;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

class MaskTargetsTest {

    static MaskGeometry geometry(JsonNode c) {
        return new MaskGeometry(c.get("origW").asInt(), c.get("origH").asInt(), c.get("viewW").asInt(), c.get("viewH").asInt(),
                c.get("padW").asInt(), c.get("padH").asInt(), c.get("flipped").asBoolean());
    }

    static List<Rle> masks(JsonNode c) {
        List<Rle> out = new ArrayList<>();
        for (JsonNode m : c.get("masks")) {
            out.add(MaskFixtures.rle(m.asText(), c.get("origH").asInt(), c.get("origW").asInt()));
        }
        return out;
    }

    @Test
    void viewMasksFollowResizeFlipAndPadAsMmdetection() {
        for (JsonNode c : MaskFixtures.load("mask_targets").get("cases")) {
            MaskGeometry g = geometry(c);
            List<Rle> masks = masks(c);
            for (int i = 0; i < masks.size(); i++) {
                assertEquals(c.get("viewMasks").get(i).asText(), MaskFixtures.bits(g.toView(masks.get(i))),
                        c.get("name").asText() + " mask " + i);
            }
        }
    }

    @Test
    void cropAndResizeMatchesTorchvisionRoiAlign() {
        for (JsonNode c : MaskFixtures.load("mask_targets").get("cases")) {
            String name = c.get("name").asText();
            int size = c.get("outSize").asInt();
            float[] rois = Reference.floats(c.get("rois"));
            int[] gt = Reference.ints(c.get("gtIndex"));
            float[] soft = new MaskTargets(size, size, false).compute(masks(c), geometry(c), rois, gt);
            // same float32 arithmetic in the same order: equal to the bit in practice, checked at 1e-5
            Reference.assertClose(Reference.floats(c.get("soft")), soft, 1e-5, name + " soft targets");
            float[] hard = new MaskTargets(size, size, true).compute(masks(c), geometry(c), rois, gt);
            // binarised exactly, the values that sit on 0.5 (nearHalf in the fixture) included
            assertEquals(c.get("binary").asText(), MaskFixtures.bits(hard), name + " binary targets");
        }
    }

    @Test
    void nearestResizeIsOpenCvInterNearest() {
        // mmcv.imrescale(mask, interpolation='nearest') is cv2.resize(INTER_NEAREST): compare the pixel map
        // with the OpenCV the project ships, over sizes with awkward ratios (up and down)
        int[][] sizes = {{37, 56}, {41, 62}, {70, 35}, {333, 500}, {500, 333}, {427, 640}, {640, 1333}, {13, 7}, {7, 13},
                {1000, 799}, {799, 1000}, {3, 3}};
        for (int[] s : sizes) {
            int src = s[0];
            int dst = s[1];
            int[] map = MaskGeometry.nearest(src, dst, dst);
            // a row holding its own indices (16-bit): the resized row says which source column each pixel read
            try (Mat m = new Mat(1, src, opencv_core.CV_16UC1); Mat out = new Mat(); Size size = new Size(dst, 1)) {
                short[] idx = new short[src];
                for (int i = 0; i < src; i++) {
                    idx[i] = (short) i;
                }
                ((java.nio.ShortBuffer) m.createBuffer()).put(idx);
                opencv_imgproc.resize(m, out, size, 0, 0, opencv_imgproc.INTER_NEAREST);
                short[] got = new short[dst];
                ((java.nio.ShortBuffer) out.createBuffer()).get(got);
                for (int i = 0; i < dst; i++) {
                    assertEquals(got[i] & 0xffff, map[i], "resize " + src + " -> " + dst + " at " + i);
                }
            }
        }
    }

    @Test
    void handComputed() {
        // a 4x4 original whose left half is set; view = original (no resize, flip or padding)
        boolean[] colMajor = new boolean[16];
        for (int i = 0; i < 8; i++) {
            colMajor[i] = true; // columns 0 and 1
        }
        Rle left = Rle.encode(4, 4, colMajor);
        MaskTargets t = new MaskTargets(2, 2, false);
        // the whole image at 2x2: bins of 2x2 pixels, samples at pixel centres: left bins 1, right bins 0
        assertArrayEquals(new float[] {1, 0, 1, 0}, t.compute(List.of(left), MaskGeometry.identity(4, 4),
                new float[] {0, 0, 4, 4}, new int[] {0}));
        // RoI x in [0.5, 2.5], one bin: after the half-pixel shift it spans [0, 2], two samples per axis at
        // x = 0.5 (between set columns 0 and 1: 1) and x = 1.5 (between column 1, set, and 2, not: 0.5) → 0.75
        float[] edge = new MaskTargets(1, 1, false).compute(List.of(left), MaskGeometry.identity(4, 4),
                new float[] {0.5f, 0, 2.5f, 4}, new int[] {0});
        assertArrayEquals(new float[] {0.75f}, edge, 1e-6f);
        // RoI x in [1, 3]: samples at x = 1 (set) and 2 (not) → exactly 0.5
        float[] half = new MaskTargets(1, 1, false).compute(List.of(left), MaskGeometry.identity(4, 4),
                new float[] {1, 0, 3, 4}, new int[] {0});
        assertArrayEquals(new float[] {0.5f}, half, 0f);
        // flipped: the set half is on the right
        MaskGeometry flipped = new MaskGeometry(4, 4, 4, 4, 4, 4, true);
        assertArrayEquals(new float[] {0, 1, 0, 1}, t.compute(List.of(left), flipped, new float[] {0, 0, 4, 4}, new int[] {0}));
        // upscaled 2x into an 8x8 view padded to 16x8: the bottom half of the RoI is padding (0)
        MaskGeometry up = new MaskGeometry(4, 4, 8, 8, 8, 16, false);
        assertArrayEquals(new float[] {1, 0, 0, 0}, t.compute(List.of(left), up, new float[] {0, 0, 8, 16}, new int[] {0}));
        // binarised: exactly 0.5 → 1 (>= 0.5)
        assertArrayEquals(new float[] {1f}, new MaskTargets(1, 1, true).compute(List.of(left), MaskGeometry.identity(4, 4),
                new float[] {1, 0, 3, 4}, new int[] {0}), 0f);
        // no RoIs
        assertEquals(0, MaskTargets.mmdetection().compute(List.of(left), MaskGeometry.identity(4, 4), new float[0], new int[0]).length);
    }

    @Test
    void badInput() {
        Rle m = Rle.encode(2, 2, new boolean[4]);
        MaskTargets t = MaskTargets.mmdetection();
        assertThrows(IllegalArgumentException.class, () -> t.compute(List.of(m), MaskGeometry.identity(2, 2), new float[4], new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> t.compute(List.of(m), MaskGeometry.identity(3, 2), new float[4], new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> t.compute(List.of(m), MaskGeometry.identity(2, 2), new float[5], new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new MaskGeometry(4, 4, 8, 8, 7, 8, false));
    }
}
