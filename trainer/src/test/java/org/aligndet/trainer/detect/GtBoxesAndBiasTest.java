package org.aligndet.trainer.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.aligndet.trainer.augment.BoxList;
import org.aligndet.trainer.data.Instance;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

class GtBoxesAndBiasTest {
    static Instance flagged(long id, boolean crowd, boolean difficult, boolean ignore) {
        return new Instance(0, 0, 10, 10, 1, 1, id, crowd, difficult, ignore, 100);
    }

    @Test
    void trainableDropsCrowdIgnoredAndDifficult() {
        List<Instance> inst = List.of(flagged(7, false, false, false), flagged(8, true, false, false),
                flagged(9, false, true, false), flagged(10, false, false, true), flagged(11, false, false, false));
        // the view lost box 11 (clipped away) and reordered nothing
        BoxList view = new BoxList(new float[] {0, 0, 5, 5, 1, 1, 6, 6, 2, 2, 7, 7, 3, 3, 8, 8},
                new long[] {7, 8, 9, 10}, new int[] {2, 0, 1, 1});
        GtBoxes g = GtBoxes.trainable(view, inst);
        assertEquals(1, g.size());
        assertArrayEquals(new float[] {0, 0, 5, 5}, g.xyxy());
        assertArrayEquals(new int[] {2}, g.labels());
        assertEquals(4, GtBoxes.of(view).size());
    }

    @Test
    void proposalsWithoutClassAreRefused() {
        BoxList proposals = new BoxList(new float[] {0, 0, 5, 5}, new long[] {0}, new int[] {-1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GtBoxes.of(proposals));
        assertEquals("gt box 0 has label -1 (proposal or unlabeled?)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GtBoxes(new float[3], new int[1]));
    }

    @Test
    void valuesAreCopied() {
        float[] b = {0, 0, 1, 1};
        GtBoxes g = new GtBoxes(b, new int[] {0});
        b[0] = 9;
        assertEquals(0f, g.xyxy()[0]);
        assertEquals(new GtBoxes(new float[] {0, 0, 1, 1}, new int[] {0}), g);
    }

    @Test
    void focalPriorBias() {
        assertEquals(-4.59511985, ClassifierBias.classifierBiasPrior(0.01), 1e-8);
        assertEquals(0.0, ClassifierBias.classifierBiasPrior(0.5), 1e-12);
        // sigmoid(b) = p
        double b = ClassifierBias.classifierBiasPrior(0.2);
        assertEquals(0.2, 1 / (1 + Math.exp(-b)), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> ClassifierBias.classifierBiasPrior(0));
        assertThrows(IllegalArgumentException.class, () -> ClassifierBias.classifierBiasPrior(1));
        ModelSpec retina = ModelSpec.load(Reference.root().resolve("model-specs/retinanet_tiny.json"));
        ModelSpec fcos = ModelSpec.load(Reference.root().resolve("model-specs/fcos_tiny.json"));
        assertEquals(ClassifierBias.classifierBiasPrior(0.01), ClassifierBias.classifierBiasPrior(retina), 1e-12);
        assertEquals("bbox_head.retina_cls.bias", DetectorFamily.dense(retina).classifierBias());
        assertEquals("bbox_head.conv_cls.bias", DetectorFamily.dense(fcos).classifierBias());
    }
}
