package org.aligndet.trainer.loss;

import static org.aligndet.trainer.testing.Reference.assertClose;
import static org.aligndet.trainer.testing.Reference.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.aligndet.trainer.testing.Autograd;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RegressionAndClassificationLossesTest {
    static final JsonNode REF = Reference.load("losses");
    static NDManager m;

    @BeforeAll
    static void start() {
        m = Autograd.manager();
    }

    @AfterAll
    static void stop() {
        m.close();
    }

    static NDArray nd(JsonNode a, long... shape) {
        return m.create(floats(a), new Shape(shape));
    }

    static void check(JsonNode c, Autograd.Result r, String what) {
        assertEquals(c.get("loss").asDouble(), r.value(), Reference.TOL * Math.max(1, Math.abs(c.get("loss").asDouble())), what);
        assertClose(floats(c.get("grad")), r.grad(), what + " gradient");
    }

    @Test
    void l1() {
        JsonNode c = REF.get("l1");
        Autograd.Result r = Autograd.evaluate(m, floats(c.get("pred")), new Shape(6, 4),
                p -> new L1Loss().compute(p, nd(c.get("target"), 6, 4), nd(c.get("weight"), 6, 4), c.get("avgFactor").asDouble()));
        check(c, r, "L1");
    }

    @Test
    void iouLog() {
        JsonNode c = REF.get("iou");
        Autograd.Result r = Autograd.evaluate(m, floats(c.get("pred")), new Shape(6, 4),
                p -> new IoULoss().compute(p, nd(c.get("target"), 6, 4), nd(c.get("weight"), 6), c.get("avgFactor").asDouble()));
        check(c, r, "IoU");
    }

    @Test
    void giou() {
        JsonNode c = REF.get("giou");
        Autograd.Result r = Autograd.evaluate(m, floats(c.get("pred")), new Shape(6, 4),
                p -> new GIoULoss().compute(p, nd(c.get("target"), 6, 4), nd(c.get("weight"), 6), c.get("avgFactor").asDouble()));
        check(c, r, "GIoU");
    }

    @Test
    void focal() {
        JsonNode c = REF.get("focal");
        int[] labels = Reference.ints(c.get("labels"));
        int k = c.get("numClasses").asInt();
        Autograd.Result r = Autograd.evaluate(m, floats(c.get("logits")), new Shape(labels.length, k),
                x -> new SigmoidFocalLoss().compute(x, SigmoidFocalLoss.oneHot(m, labels, k), null, c.get("avgFactor").asDouble()));
        check(c, r, "focal");
    }

    @Test
    void focalFromLabelsMatchesTheReference() {
        JsonNode c = REF.get("focal");
        int[] labels = Reference.ints(c.get("labels"));
        Autograd.Result r = Autograd.evaluate(m, floats(c.get("logits")), new Shape(labels.length, c.get("numClasses").asInt()),
                x -> new SigmoidFocalLoss().compute(x, labels, new int[0], c.get("avgFactor").asDouble()));
        check(c, r, "focal from labels");
    }

    @Test
    void focalFromLabelsEqualsTheDenseFormWithIgnoredRows() {
        int n = 40;
        int k = 5;
        java.util.Random rnd = new java.util.Random(3);
        float[] logits = new float[n * k];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (rnd.nextGaussian() * 4); // saturated entries included
        }
        logits[7] = 40f; // beyond softplus' linear threshold both ways
        logits[8] = -40f;
        int[] labels = new int[n];
        float[] weights = new float[n];
        java.util.List<Integer> ignored = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            // row 1 holds the saturated entries: a positive at +40 (cost ~0), a negative at -40
            labels[i] = i == 1 ? 2 : i % 3 == 0 ? rnd.nextInt(k) : k;
            weights[i] = 1f;
            if (labels[i] == k && i % 7 == 1) {
                ignored.add(i);
                weights[i] = 0f;
            }
        }
        int[] ignoredRows = ignored.stream().mapToInt(Integer::intValue).toArray();
        SigmoidFocalLoss focal = new SigmoidFocalLoss(0.25, 2.0);
        Autograd.Result dense = Autograd.evaluate(m, logits, new Shape(n, k), x -> focal.compute(x,
                SigmoidFocalLoss.oneHot(m, labels, k), m.create(weights, new Shape(n, 1)), 6.0));
        Autograd.Result sparse = Autograd.evaluate(m, logits, new Shape(n, k), x -> focal.compute(x, labels, ignoredRows, 6.0));
        assertEquals(dense.value(), sparse.value(), 1e-5 * Math.abs(dense.value()));
        for (int i = 0; i < logits.length; i++) {
            assertEquals(dense.grad()[i], sparse.grad()[i], 1e-6, "gradient at " + i);
        }
        for (int i : ignoredRows) {
            for (int j = 0; j < k; j++) {
                // added, then subtracted: zero to rounding
                assertEquals(0f, sparse.grad()[i * k + j], 1e-7, "ignored row " + i + " has no gradient");
            }
        }
        // another gamma goes through pow
        SigmoidFocalLoss g15 = new SigmoidFocalLoss(0.4, 1.5);
        Autograd.Result dense15 = Autograd.evaluate(m, logits, new Shape(n, k), x -> g15.compute(x, SigmoidFocalLoss.oneHot(m, labels, k), null, 1));
        Autograd.Result sparse15 = Autograd.evaluate(m, logits, new Shape(n, k), x -> g15.compute(x, labels, new int[0], 1));
        double d15 = dense15.value();
        assertEquals(d15, sparse15.value(), 1e-5 * d15);
        for (int i = 0; i < logits.length; i++) {
            assertEquals(dense15.grad()[i], sparse15.grad()[i], 1e-6, "gamma 1.5: gradient at " + i);
        }
        // gamma 0: plain BCE weighted by alpha, through the softplus-only branch
        SigmoidFocalLoss g0 = new SigmoidFocalLoss(0.25, 0.0);
        Autograd.Result dense0 = Autograd.evaluate(m, logits, new Shape(n, k), x -> g0.compute(x, SigmoidFocalLoss.oneHot(m, labels, k), null, 1));
        Autograd.Result sparse0 = Autograd.evaluate(m, logits, new Shape(n, k), x -> g0.compute(x, labels, new int[0], 1));
        assertEquals(dense0.value(), sparse0.value(), 1e-5 * Math.abs(dense0.value()));
        for (int i = 0; i < logits.length; i++) {
            assertEquals(dense0.grad()[i], sparse0.grad()[i], 1e-6, "gamma 0: gradient at " + i);
        }
        NDArray x = m.create(logits, new Shape(n, k));
        assertThrows(IllegalArgumentException.class, () -> focal.compute(x, new int[n - 1], new int[0], 1));
        assertThrows(IllegalArgumentException.class, () -> focal.compute(x, labels, new int[] {0}, 1)); // row 0 is a positive's
        int[] bad = labels.clone();
        bad[2] = k + 1;
        assertThrows(IllegalArgumentException.class, () -> focal.compute(x, bad, new int[0], 1));
    }

    @Test
    void bce() {
        JsonNode c = REF.get("bce");
        Autograd.Result r = Autograd.evaluate(m, floats(c.get("logits")), new Shape(8),
                z -> new BceWithLogitsLoss().compute(z, nd(c.get("target"), 8), nd(c.get("weight"), 8), c.get("avgFactor").asDouble()));
        check(c, r, "BCE");
    }

    @Test
    void byHand() {
        NDArray box = m.create(new float[] {0, 0, 2, 2}, new Shape(1, 4));
        NDArray half = m.create(new float[] {1, 0, 3, 2}, new Shape(1, 4)); // IoU 2/6, enclosure 6
        assertEquals(Math.log(3), new IoULoss().compute(half, box, null, 1).getFloat(), 1e-6);
        assertEquals(1 - 1 / 3.0, new GIoULoss().compute(half, box, null, 1).getFloat(), 1e-6);
        assertEquals(0f, new GIoULoss().compute(box, box, null, 1).getFloat(), 1e-7);
        assertEquals(2f, new L1Loss().compute(half, box, null, 1).getFloat(), 1e-7);
        NDArray zero = m.create(new float[] {0f}, new Shape(1));
        // x = 0, t = 1: BCE = log 2, p_t = 1/2, focal = 0.25 * 0.25 * log 2
        assertEquals(Math.log(2), new BceWithLogitsLoss().compute(zero, m.create(new float[] {1f}, new Shape(1)), null, 1).getFloat(), 1e-6);
        assertEquals(0.0625 * Math.log(2), new SigmoidFocalLoss().compute(zero.reshape(1, 1),
                SigmoidFocalLoss.oneHot(m, new int[] {0}, 1), null, 1).getFloat(), 1e-6);
        assertEquals(0f, SigmoidFocalLoss.oneHot(m, new int[] {1}, 1).sum().getFloat()); // background row
        assertThrows(IllegalArgumentException.class, () -> new L1Loss().compute(half, box, null, 0));
    }

    @Test
    void lossTermsWeightSumAndLog() {
        LossTerms t = new LossTerms().put("loss_cls", m.create(2f)).put("loss_bbox", m.create(3f));
        LossTerms w = t.weighted(java.util.Map.of("loss_bbox", 0.5));
        assertEquals(java.util.List.of("loss_cls", "loss_bbox"), java.util.List.copyOf(w.values().keySet()));
        assertEquals(1.5, w.values().get("loss_bbox"), 1e-7);
        assertEquals(3.5f, w.total().getFloat(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> t.weighted(java.util.Map.of("loss_typo", 1.0)));
        assertThrows(IllegalArgumentException.class, () -> t.put("v", m.create(new float[] {1, 2})));
    }
}
