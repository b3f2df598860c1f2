package org.aligndet.trainer.optim;

import static org.aligndet.trainer.testing.Reference.assertClose;
import static org.aligndet.trainer.testing.Reference.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.trainer.testing.Autograd;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

class EmaTest {
    static final JsonNode REF = Reference.load("ema");

    static Map<String, NDArray> load(NDManager m, String which) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        REF.get(which).fieldNames().forEachRemaining(n ->
                out.put(n, m.create(floats(REF.get(which).get(n)), new Shape(Reference.longs(REF.get("shapes").get(n))))));
        return out;
    }

    @Test
    void oneStepMatchesReference() {
        try (NDManager m = Autograd.manager()) {
            Map<String, NDArray> online = load(m, "online"), target = load(m, "target");
            NDArray before = target.get("w");
            Ema.update(online, target, REF.get("m").asDouble());
            assertTrue(before == target.get("w"), "updated in place");
            for (String n : target.keySet()) {
                assertClose(floats(REF.get("after").get(n)), target.get(n).toFloatArray(), "EMA " + n);
                assertClose(floats(REF.get("online").get(n)), online.get(n).toFloatArray(), "online untouched " + n);
            }
        }
    }

    @Test
    void copyOverwritesInPlace() {
        try (NDManager m = Autograd.manager()) {
            Map<String, NDArray> src = Map.of("running_mean", m.create(new float[] {1, 2}));
            NDArray dst = m.create(new float[] {Float.NaN, 5});
            Ema.copy(src, Map.of("running_mean", dst));
            assertArrayEquals(new float[] {1, 2}, dst.toFloatArray());
        }
    }

    @Test
    void mismatchedNamesAndShapesAreNamed() {
        try (NDManager m = Autograd.manager()) {
            Map<String, NDArray> a = Map.of("x", m.create(new float[] {1}), "only_a", m.create(new float[] {1}));
            Map<String, NDArray> b = Map.of("x", m.create(new float[] {1, 2}), "only_b", m.create(new float[] {1}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ema.update(a, b, 0.9));
            assertTrue(e.getMessage().contains("only_a") && e.getMessage().contains("only_b") && e.getMessage().contains("x:"),
                    e.getMessage());
        }
    }
}
