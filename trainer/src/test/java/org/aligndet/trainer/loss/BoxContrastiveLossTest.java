package org.aligndet.trainer.loss;

import static org.aligndet.trainer.testing.Reference.assertClose;
import static org.aligndet.trainer.testing.Reference.floats;
import static org.aligndet.trainer.testing.Reference.longs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.testing.Autograd;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BoxContrastiveLossTest {
    static final JsonNode REF = Reference.load("contrastive_loss");
    static NDManager m;

    @BeforeAll
    static void start() {
        m = Autograd.manager();
    }

    @AfterAll
    static void stop() {
        m.close();
    }

    static List<JsonNode> cases() {
        List<JsonNode> out = new ArrayList<>();
        REF.get("cases").forEach(out::add);
        return out;
    }

    static List<Arguments> casesBothWays() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : cases()) {
            out.add(Arguments.of(c, true));
            out.add(Arguments.of(c, false));
        }
        return out;
    }

    @ParameterizedTest(name = "{index}: batched={1} {0}")
    @MethodSource("casesBothWays")
    void valueAndGradientMatchReference(JsonNode c, boolean batched) {
        int d = c.get("dim").asInt();
        long[] qIds = longs(c.get("qIds")), kIds = longs(c.get("kIds"));
        NDArray k = m.create(floats(c.get("k")), new Shape(kIds.length, d));
        BoxContrastiveLoss loss = new BoxContrastiveLoss(REF.get("temperature").asDouble());
        Autograd.Result r = Autograd.evaluate(m, floats(c.get("q")), new Shape(qIds.length, d),
                q -> batched ? loss.compute(q, qIds, k, kIds) : loss.computePerId(q, qIds, k, kIds));
        String name = c.get("name").asText();
        assertEquals(c.get("loss").asDouble(), r.value(), Reference.TOL, name);
        assertClose(floats(c.get("gradQ")), r.grad(), name + " gradient");
    }

    @Test
    void batchedEqualsPerIdOnALargerRandomCase() {
        SplittableRandom rng = new SplittableRandom(11);
        int mRows = 60, nRows = 50, d = 16;
        long[] qIds = rng.ints(mRows, -1, 20).asLongStream().toArray(); // ids 0..19 and background
        long[] kIds = rng.ints(nRows, -1, 25).asLongStream().filter(i -> i % 4 != 1).limit(nRows).toArray();
        float[] q = new float[mRows * d], kv = new float[kIds.length * d];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < kv.length; i++) {
            kv[i] = (float) rng.nextGaussian();
        }
        NDArray k = m.create(kv, new Shape(kIds.length, d));
        BoxContrastiveLoss loss = new BoxContrastiveLoss(0.2);
        Autograd.Result b = Autograd.evaluate(m, q, new Shape(mRows, d), x -> loss.computePerId(x, qIds, k, kIds));
        // the logit matrix in one block, and in blocks of 7 rows (the last one shorter)
        for (BoxContrastiveLoss batched : List.of(loss, new BoxContrastiveLoss(0.2, 7))) {
            Autograd.Result a = Autograd.evaluate(m, q, new Shape(mRows, d), x -> batched.compute(x, qIds, k, kIds));
            assertEquals(b.value(), a.value(), 1e-5 * Math.abs(b.value()));
            assertClose(b.grad(), a.grad(), "batched vs per-id gradient");
        }
    }

    @Test
    void twoIdsByHand() {
        // one query per id, the key equal to its query, the other id's rows orthogonal:
        // logits per id = [1, 0, 0] / τ (negatives: the other query and the other key)
        NDArray q = m.create(new float[] {1, 0, 0, 3}, new Shape(2, 2));
        NDArray k = m.create(new float[] {2, 0, 0, 1}, new Shape(2, 2));
        float got = new BoxContrastiveLoss(0.5).compute(q, new long[] {0, 1}, k, new long[] {0, 1}).getFloat();
        double expected = -Math.log(Math.exp(2) / (Math.exp(2) + 2));
        assertEquals(expected, got, 1e-6);
    }

    @Test
    void noIdsGiveAZeroThatKeepsTheGraph() {
        Autograd.Result r = Autograd.evaluate(m, new float[] {1, 2, 3, 4}, new Shape(2, 2),
                q -> new BoxContrastiveLoss(0.5).compute(q, new long[] {-1, -1}, m.create(new float[0], new Shape(0, 2)), new long[0]));
        assertEquals(0f, r.value());
        assertFalse(Float.isNaN(r.grad()[0]));
        assertClose(new float[4], r.grad(), "gradient of the zero");
    }

    @Test
    void shapesMustMatchIds() {
        NDArray q = m.create(new float[4], new Shape(2, 2));
        assertThrows(IllegalArgumentException.class,
                () -> new BoxContrastiveLoss(0.5).compute(q, new long[] {0}, q, new long[] {0, 1}));
    }
}
