package org.aligndet.trainer.twostage;

import static org.aligndet.trainer.testing.Reference.assertClose;
import static org.aligndet.trainer.testing.Reference.floats;
import static org.aligndet.trainer.testing.Reference.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.SplittableRandom;
import org.aligndet.trainer.assign.Assignment;
import org.aligndet.trainer.infer.Detections;
import org.aligndet.trainer.infer.MultiClassNms;
import org.aligndet.trainer.sample.PositiveFirstSampler;
import org.aligndet.trainer.sample.Sample;
import org.aligndet.trainer.testing.Autograd;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The RoI head's losses against PyTorch (generator: twostage_loss_fixtures.py), and the samplers and NMS they rely on. */
class TwoStageLossesTest {
    static final JsonNode REF = Reference.load("twostage_losses");
    static NDManager m;

    @BeforeAll
    static void start() {
        m = Autograd.manager();
    }

    @AfterAll
    static void stop() {
        m.close();
    }

    static void check(JsonNode c, Autograd.Result r, String what) {
        assertEquals(c.get("loss").asDouble(), r.value(), Reference.TOL * Math.max(1, Math.abs(c.get("loss").asDouble())), what);
        assertClose(floats(c.get("grad")), r.grad(), what + " gradient");
    }

    @Test
    void roiCrossEntropyWithBackgroundLast() {
        JsonNode c = REF.get("roi_cls");
        int[] labels = ints(c.get("labels"));
        int k = c.get("numClasses").asInt();
        Autograd.Result r = Autograd.evaluate(m, floats(c.get("logits")), new Shape(labels.length, k + 1),
                x -> new RoiHeadLoss(k).classification(x, labels));
        check(c, r, "RoI cross-entropy");
    }

    @Test
    void roiRegressionUsesEachPositivesOwnClassColumns() {
        JsonNode c = REF.get("roi_bbox");
        int k = c.get("numClasses").asInt();
        int rows = c.get("avgFactor").asInt();
        Autograd.Result r = Autograd.evaluate(m, floats(c.get("deltas")), new Shape(rows, 4L * k),
                d -> new RoiHeadLoss(k).regression(d, ints(c.get("posRows")), ints(c.get("posLabels")), floats(c.get("targets")), rows));
        check(c, r, "RoI class-specific L1");
    }

    @Test
    void pretrainingRegressionUsesEveryClassColumn() {
        JsonNode c = REF.get("roi_pretrain");
        int k = c.get("numClasses").asInt();
        int rows = c.get("avgFactor").asInt();
        Autograd.Result r = Autograd.evaluate(m, floats(c.get("deltas")), new Shape(rows, 4L * k),
                d -> new RoiHeadLoss(k).regressionAllClasses(d, ints(c.get("posRows")), floats(c.get("targets")), rows));
        check(c, r, "RoI all-class L1");
    }

    @Test
    void aLabelOutsideTheClassesIsRefused() {
        try (NDManager s = m.newSubManager()) {
            var logits = s.zeros(new Shape(2, 4));
            assertThrows(IllegalArgumentException.class, () -> new RoiHeadLoss(3).classification(logits, new int[] {0, 4}));
        }
    }

    @Test
    void withoutNegativesTheSamplerKeepsPositivesOnly() {
        // 3 positives, 5 background, 1 ignored
        Assignment a = new Assignment(new int[] {0, -1, 1, -1, -1, 2, -2, -1, -1}, new float[9]);
        PositiveFirstSampler plain = new PositiveFirstSampler(8, 1.0);
        Sample s = plain.sample(a, new SplittableRandom(1));
        assertArrayEquals(new int[] {0, 2, 5}, s.positives());
        assertEquals(5, s.negatives().length, "neg_pos_ub = -1: negatives fill the sample");
        Sample none = plain.withoutNegatives().sample(a, new SplittableRandom(1));
        assertArrayEquals(new int[] {0, 2, 5}, none.positives());
        assertEquals(0, none.negatives().length);
        Sample one = plain.withNegPosUpperBound(1).sample(a, new SplittableRandom(1));
        assertEquals(3, one.negatives().length, "neg_pos_ub = 1: as many negatives as positives");
    }

    @Test
    void classSpecificBoxesAreSuppressedPerClassWithTheirOwnBoxes() {
        // two candidates, two classes: for class 0 their boxes overlap (IoU 0.81), for class 1 they do not
        float[] boxes = {
            0, 0, 10, 10, /* cand 0 class 0 */ 50, 50, 60, 60, /* cand 0 class 1 */
            0, 0, 10, 9, /* cand 1 class 0 */ 0, 0, 10, 10 /* cand 1 class 1 */};
        float[] scores = {0.9f, 0.6f, 0.8f, 0.7f};
        Detections d = new MultiClassNms(0.05f, 0.5, 100, 100).applyClassBoxes(boxes, scores, 2, 2);
        assertEquals(3, d.size(), "class 0 keeps one, class 1 keeps both");
        assertArrayEquals(new float[] {0.9f, 0.7f, 0.6f}, d.scores());
        assertArrayEquals(new int[] {0, 1, 1}, d.labels());
        assertArrayEquals(new float[] {0, 0, 10, 10, 0, 0, 10, 10, 50, 50, 60, 60}, d.boxes());
        // shared boxes (the dense heads' rule) would suppress class 1's second candidate too
        float[] shared = {0, 0, 10, 10, 0, 0, 10, 9};
        assertEquals(2, new MultiClassNms(0.05f, 0.5, 100, 100).apply(shared, scores, 2, 2).size());
    }
}
