package org.aligndet.trainer.twostage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.testing.Autograd;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RoIAlignTest {
    NDManager m;

    @BeforeEach
    void setUp() {
        m = Autograd.manager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    static long[] longs(JsonNode a) {
        return Reference.longs(a);
    }

    @Test
    void valuesAndFeatureGradientsMatchTorchvision() {
        JsonNode cases = Reference.load("roi_align").get("cases");
        assertEquals(5, cases.size());
        for (JsonNode c : cases) {
            String name = c.get("name").asText();
            NDArray feats = m.create(Reference.floats(c.get("feats")), new Shape(longs(c.get("shape"))));
            feats.setRequiresGradient(true);
            RoIAlign align = new RoIAlign(c.get("outH").asInt(), c.get("outW").asInt(),
                    c.get("samplingRatio").asInt(), c.get("aligned").asBoolean());
            float[] rois = Reference.floats(c.get("rois"));
            float[] out;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray o = align.apply(feats, rois, (float) c.get("spatialScale").asDouble());
                assertEquals(new Shape(rois.length / 5, feats.getShape().get(1), align.outH(), align.outW()), o.getShape());
                out = o.toFloatArray();
                NDArray weight = m.create(Reference.floats(c.get("weight")), o.getShape());
                gc.backward(o.mul(weight).sum());
            }
            Reference.assertClose(Reference.floats(c.get("out")), out, name + " values");
            Reference.assertClose(Reference.floats(c.get("grad")), feats.getGradient().toFloatArray(), name + " feature gradient");
        }
    }

    @Test
    void handComputedBins() {
        // a 2 x 3 map 0..5; aligned RoI (0, 0, 3, 2) at scale 1 spans the map: one bin of 2 x 3 samples
        // at x = 0, 1, 2 and y = 0, 1 (after the -0.5 shift) reads every cell once: the mean 2.5
        NDArray feats = m.create(new float[] {0, 1, 2, 3, 4, 5}, new Shape(1, 1, 2, 3));
        float[] whole = new RoIAlign(1, 1, 0, true).apply(feats, new float[] {0, 0, 0, 3, 2}, 1f).toFloatArray();
        assertArrayEquals(new float[] {2.5f}, whole, 1e-6f);
        // a tiny RoI around (1.5, 0.5) → cell centre (1, 0) after the shift: value 1
        float[] tiny = new RoIAlign(1, 1, 0, true).apply(feats, new float[] {0, 1.4f, 0.4f, 1.6f, 0.6f}, 1f).toFloatArray();
        assertArrayEquals(new float[] {1f}, tiny, 1e-5f);
        // wholly outside (beyond -1) is 0; an empty RoI is 0
        float[] zero = new RoIAlign(2, 2, 0, true).apply(feats, new float[] {0, -9, -9, -4, -4, 0, 1, 1, 1, 1}, 1f)
                .toFloatArray();
        assertArrayEquals(new float[8], zero);
    }

    @Test
    void noRoisAndBadInput() {
        NDArray feats = m.zeros(new Shape(1, 2, 4, 4));
        assertEquals(new Shape(0, 2, 7, 7), RoIAlign.mmdetection(7).apply(feats, new float[0], 0.25f).getShape());
        assertThrows(IllegalArgumentException.class, () -> RoIAlign.mmdetection(7).apply(feats, new float[4], 1f));
        assertThrows(IllegalArgumentException.class,
                () -> RoIAlign.mmdetection(7).apply(feats, new float[] {1, 0, 0, 2, 2}, 1f)); // no image 1
    }

    @Test
    void extractorLevelsValuesAndGradientsMatchReference() {
        JsonNode f = Reference.load("roi_extractor");
        int[] strides = Reference.ints(f.get("strides"));
        int n = f.get("batch").asInt(), c = f.get("channels").asInt();
        List<NDArray> feats = new ArrayList<>();
        for (int l = 0; l < strides.length; l++) {
            JsonNode size = f.get("levelSizes").get(l);
            NDArray x = m.create(Reference.floats(f.get("feats").get(l)), new Shape(n, c, size.get(0).asInt(), size.get(1).asInt()));
            x.setRequiresGradient(true);
            feats.add(x);
        }
        float[] rois = Reference.floats(f.get("rois"));
        RoiExtractor ex = RoiExtractor.mmdetection(strides, f.get("outSize").asInt());
        assertArrayEquals(Reference.ints(f.get("levels")), ex.levels(rois));
        float[] out;
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray o = ex.apply(new NDList(feats), rois);
            out = o.toFloatArray();
            gc.backward(o.mul(m.create(Reference.floats(f.get("weight")), o.getShape())).sum());
        }
        Reference.assertClose(Reference.floats(f.get("out")), out, "extractor values");
        for (int l = 0; l < strides.length; l++) {
            Reference.assertClose(Reference.floats(f.get("grads").get(l)), feats.get(l).getGradient().toFloatArray(),
                    "extractor gradient level " + l);
        }
    }

    @Test
    void levelMappingBoundaries() {
        // sqrt(area) 56 → level 0, 111.9 → 0, 112 → 1, 224 → 2, 448 → 3, 2000 → clamped to 3; empty → 0
        float[] rois = {0, 0, 0, 56, 56, 0, 0, 0, 111.9f, 111.9f, 0, 0, 0, 112, 112, 0, 10, 10, 234, 234,
                0, 0, 0, 448, 448, 0, 0, 0, 2000, 2000, 0, 5, 5, 5, 9};
        assertArrayEquals(new int[] {0, 0, 1, 2, 3, 3, 0}, RoiExtractor.mapLevels(rois, 4, 56f));
    }
}
