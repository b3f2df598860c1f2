package org.aligndet.trainer.infer;

import org.aligndet.trainer.family.DetectorFamily;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.api.Test;

/** Hand-computed decoding, ranking and caps on single-image, one- or two-level head outputs. */
class DensePostprocessTest {
    static final float SURE = 100f; // sigmoid(100) is 1.0f exactly
    static final float NEVER = -100f;

    static HeadMaps.Level level(int c, int h, int w, float... data) {
        return new HeadMaps.Level(data, 1, c, h, w);
    }

    static PostprocessConfig cfg(int nmsPre, int maxPerImg) {
        return new PostprocessConfig(nmsPre, 0.05f, 0.5, maxPerImg);
    }

    @Test
    void fcosDistancesAreScaledByTheStrideWhenNormOnBbox() {
        // one class, stride 16, two locations; only location 1 scores: sigmoid(0) * sigmoid(100) = 0.5
        HeadMaps maps = new HeadMaps(List.of(level(1, 1, 2, NEVER, 0f)),
                List.of(level(4, 1, 2, 0, 0.5f, 0, 0.25f, 0, 1f, 0, 0.5f)), List.of(level(1, 1, 2, SURE, SURE)));
        Detections norm = DensePostprocess.fcos(1, new int[] {16}, true, cfg(1000, 100)).image(maps, 0, 64, 64);
        assertEquals(1, norm.size());
        // point (1 * 16 + 8, 0 * 16 + 8) = (24, 8); distances x16 = (8, 4, 16, 8)
        assertArrayEquals(new float[] {16, 4, 40, 16}, norm.box(0));
        assertEquals(0.5f, norm.scores()[0]);
        assertEquals(0, norm.labels()[0]);
        Detections raw = DensePostprocess.fcos(1, new int[] {16}, false, cfg(1000, 100)).image(maps, 0, 64, 64);
        assertArrayEquals(new float[] {23.5f, 7.75f, 25f, 8.5f}, raw.box(0));
        // clipped to the input: width 32 cuts x2 = 40
        Detections clipped = DensePostprocess.fcos(1, new int[] {16}, true, cfg(1000, 100)).image(maps, 0, 64, 32);
        assertArrayEquals(new float[] {16, 4, 32, 16}, clipped.box(0));
    }

    @Test
    void fcosScoreIsClassTimesCenterness() {
        HeadMaps maps = new HeadMaps(List.of(level(1, 1, 1, 0f)), List.of(level(4, 1, 1, 1, 1, 1, 1)),
                List.of(level(1, 1, 1, 0f)));
        Detections d = DensePostprocess.fcos(1, new int[] {8}, true, cfg(1000, 100)).image(maps, 0, 32, 32);
        assertEquals(0.25f, d.scores()[0]);
        assertArrayEquals(new float[] {0, 0, 12, 12}, d.box(0)); // point (4, 4) +- 8, clipped at 0
    }

    /** Four locations 8 px apart with small disjoint boxes; logits 0, 2, -1, 1. */
    static HeadMaps fourLocations() {
        float q = 0.25f;
        return new HeadMaps(List.of(level(1, 1, 4, 0f, 2f, -1f, 1f)),
                List.of(level(4, 1, 4, q, q, q, q, q, q, q, q, q, q, q, q, q, q, q, q)),
                List.of(level(1, 1, 4, SURE, SURE, SURE, SURE)));
    }

    @Test
    void nmsPreKeepsTheBestPriorsOfEachLevel() {
        Detections two = DensePostprocess.fcos(1, new int[] {8}, true, cfg(2, 100)).image(fourLocations(), 0, 32, 32);
        assertArrayEquals(new float[] {DensePostprocess.sigmoid(2), DensePostprocess.sigmoid(1)}, two.scores());
        assertArrayEquals(new float[] {10, 2, 14, 6}, two.box(0)); // location 1: point (12, 4) +- 2
        assertArrayEquals(new float[] {26, 2, 30, 6}, two.box(1));
        assertEquals(4, DensePostprocess.fcos(1, new int[] {8}, true, cfg(0, 100)).image(fourLocations(), 0, 32, 32).size());
        assertEquals(4, DensePostprocess.fcos(1, new int[] {8}, true, cfg(9, 100)).image(fourLocations(), 0, 32, 32).size());
    }

    @Test
    void nmsPreAppliesPerLevel() {
        HeadMaps one = fourLocations();
        HeadMaps twoLevels = new HeadMaps(List.of(one.cls().get(0), one.cls().get(0)),
                List.of(one.box().get(0), one.box().get(0)), List.of(one.centerness().get(0), one.centerness().get(0)));
        // level 2 (stride 16) puts its points elsewhere, so nothing overlaps: 1 + 1 survive
        Detections d = DensePostprocess.fcos(1, new int[] {8, 16}, false, cfg(1, 100)).image(twoLevels, 0, 64, 64);
        assertEquals(2, d.size());
        assertEquals(d.scores()[0], d.scores()[1]);
        assertArrayEquals(new float[] {11.75f, 3.75f, 12.25f, 4.25f}, d.box(0)); // tie: the finer level first
        assertArrayEquals(new float[] {23.75f, 7.75f, 24.25f, 8.25f}, d.box(1));
    }

    @Test
    void maxPerImgCapsTheResult() {
        Detections d = DensePostprocess.fcos(1, new int[] {8}, true, cfg(1000, 3)).image(fourLocations(), 0, 32, 32);
        assertArrayEquals(new float[] {DensePostprocess.sigmoid(2), DensePostprocess.sigmoid(1), DensePostprocess.sigmoid(0)},
                d.scores());
    }

    @Test
    void retinaNetDecodesDeltasOnTheRightAnchorAndClass() {
        // one scale (32 px at stride 8), ratios 1/4 (wide 64x16) and 4 (tall 16x64): A = 2; K = 2
        AnchorGenerator anchors = new AnchorGenerator(4, 1, new double[] {0.25, 4}, new int[] {8}, 0);
        DensePostprocess post = DensePostprocess.retinaNet(2, anchors, DeltaXYWHCoder.unit(), cfg(1000, 100));
        float[] cls = new float[4 * 2];
        java.util.Arrays.fill(cls, NEVER);
        cls[2 * 2 + 1] = 1f;   // channel a*K + c = 1*2 + 0 (tall anchor, class 0) at location 1
        cls[1 * 2 + 0] = 2f;   // channel 0*2 + 1 (wide anchor, class 1) at location 0
        float[] box = new float[8 * 2];
        box[(1 * 4 + 0) * 2 + 1] = 0.5f; // tall anchor at location 1: dx = 0.5 (x16 px)
        HeadMaps maps = new HeadMaps(List.of(level(4, 1, 2, cls)), List.of(level(8, 1, 2, box)), List.of());
        Detections d = post.image(maps, 0, 64, 64);
        assertEquals(2, d.size());
        assertArrayEquals(new int[] {1, 0}, d.labels());
        assertArrayEquals(new float[] {0, 0, 32, 8}, d.box(0));   // wide anchor at (0, 0): (-32, -8, 32, 8), clipped
        assertArrayEquals(new float[] {8, 0, 24, 32}, d.box(1));  // tall anchor at (8, 0): (0, -32, 16, 32), +16 in x
        assertEquals(DensePostprocess.sigmoid(2), d.scores()[0]);
    }

    @Test
    void batchImagesAreIndependent() {
        HeadMaps one = fourLocations();
        float[] cls = new float[8];
        System.arraycopy(one.cls().get(0).data(), 0, cls, 0, 4);
        java.util.Arrays.fill(cls, 4, 8, NEVER);
        float[] box = new float[32];
        System.arraycopy(one.box().get(0).data(), 0, box, 0, 16);
        float[] ctr = {SURE, SURE, SURE, SURE, SURE, SURE, SURE, SURE};
        HeadMaps two = new HeadMaps(List.of(new HeadMaps.Level(cls, 2, 1, 1, 4)), List.of(new HeadMaps.Level(box, 2, 4, 1, 4)),
                List.of(new HeadMaps.Level(ctr, 2, 1, 1, 4)));
        List<Detections> d = DensePostprocess.fcos(1, new int[] {8}, true, cfg(1000, 100)).apply(two, 32, 32);
        assertEquals(4, d.get(0).size());
        assertEquals(0, d.get(1).size());
    }

    @Test
    void specsConfigureIt() {
        ModelSpecs specs = ModelSpecs.locate();
        assertEquals(new PostprocessConfig(1000, 0.05f, 0.5, 100), DetectorFamily.dense(specs.load("retinanet_tiny")).postprocess().config());
        assertEquals(new PostprocessConfig(1000, 0.05f, 0.6, 100), DetectorFamily.dense(specs.load("fcos_tiny")).postprocess().config());
    }

    @Test
    void wrongOutputsAreRefusedWithTheirShapes() {
        DensePostprocess post = DensePostprocess.fcos(2, new int[] {8}, true, cfg(1000, 100));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> post.image(fourLocations(), 0, 32, 32));
        assertTrue(e.getMessage().contains("1 cls") && e.getMessage().contains("expected 2"), e.getMessage());
        HeadMaps noCtr = new HeadMaps(fourLocations().cls(), fourLocations().box(), List.of());
        assertThrows(IllegalArgumentException.class,
                () -> DensePostprocess.fcos(1, new int[] {8}, true, cfg(1000, 100)).image(noCtr, 0, 32, 32));
        assertThrows(IllegalArgumentException.class, () -> new HeadMaps.Level(new float[3], 1, 1, 2, 2));
    }
}
