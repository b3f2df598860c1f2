package org.aligndet.trainer.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.aligndet.trainer.testing.Autograd;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MaskLossTest {
    NDManager m;

    @BeforeEach
    void setUp() {
        m = Autograd.manager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    static float[] targets(String bits) {
        float[] t = new float[bits.length()];
        for (int i = 0; i < t.length; i++) {
            t[i] = bits.charAt(i) == '1' ? 1f : 0f;
        }
        return t;
    }

    @Test
    void valueAndGradientMatchPyTorch() {
        for (JsonNode c : MaskFixtures.load("mask_loss").get("cases")) {
            String name = c.get("name").asText();
            Shape shape = new Shape(Reference.longs(c.get("shape")));
            int[] labels = Reference.ints(c.get("labels"));
            float[] t = targets(c.get("targets").asText());
            MaskLoss loss = new MaskLoss();
            Autograd.Result r = Autograd.evaluate(m, Reference.floats(c.get("logits")), shape, x -> loss.compute(x, labels, t));
            assertEquals(c.get("loss").asDouble(), r.value(), 1e-5 * Math.max(1, Math.abs(c.get("loss").asDouble())), name + " loss");
            Reference.assertClose(Reference.floats(c.get("grad")), r.grad(), 1e-5, name + " gradient");
        }
    }

    @Test
    void handComputed() {
        // one RoI, two classes, 1x1 map: label 1 picks logit 0 → BCE(0, t) = log 2 for either target;
        // gradient sigmoid(0) - t on channel 1 only
        Autograd.Result r = Autograd.evaluate(m, new float[] {5f, 0f}, new Shape(1, 2, 1, 1),
                x -> new MaskLoss().compute(x, new int[] {1}, new float[] {1f}));
        assertEquals(Math.log(2), r.value(), 1e-6);
        assertArrayEquals(new float[] {0f, -0.5f}, r.grad(), 1e-6f);
        // no positives: zero, still differentiable
        Autograd.Result empty = Autograd.evaluate(m, new float[0], new Shape(0, 3, 28, 28),
                x -> new MaskLoss().compute(x, new int[0], new float[0]));
        assertEquals(0f, empty.value());
        assertThrows(IllegalArgumentException.class, () -> new MaskLoss().compute(m.zeros(new Shape(1, 2, 2, 2)), new int[] {2}, new float[4]));
        assertThrows(IllegalArgumentException.class, () -> new MaskLoss().compute(m.zeros(new Shape(1, 2, 2, 2)), new int[] {0}, new float[3]));
    }
}
