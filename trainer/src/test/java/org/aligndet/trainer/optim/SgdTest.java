package org.aligndet.trainer.optim;

import static org.aligndet.trainer.testing.Reference.assertClose;
import static org.aligndet.trainer.testing.Reference.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.trainer.testing.Autograd;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

class SgdTest {
    static final JsonNode REF = Reference.load("sgd");

    static Map<String, NDArray> params(NDManager m) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (String n : new String[] {"a", "b"}) {
            p.put(n, m.create(floats(REF.get("init").get(n)), new Shape(Reference.longs(REF.get("shapes").get(n)))));
            p.get(n).setRequiresGradient(true);
        }
        return p;
    }

    static Map<String, NDArray> grads(NDManager m, JsonNode step) {
        Map<String, NDArray> g = new HashMap<>();
        for (String n : new String[] {"a", "b"}) {
            JsonNode v = step.get("grads").get(n);
            g.put(n, v.isNull() ? null : m.create(floats(v), new Shape(Reference.longs(REF.get("shapes").get(n)))));
        }
        return g;
    }

    @Test
    void fiveStepsMatchTorchSgd() {
        try (NDManager m = Autograd.manager();
             Sgd sgd = new Sgd(REF.get("momentum").asDouble(), REF.get("weightDecay").asDouble())) {
            Map<String, NDArray> p = params(m);
            int s = 0;
            for (JsonNode step : REF.get("steps")) {
                sgd.step(p, grads(m, step), step.get("lr").asDouble());
                for (String n : p.keySet()) {
                    assertClose(floats(step.get("after").get(n)), p.get(n).toFloatArray(), "step " + s + " param " + n);
                }
                s++;
            }
            assertEquals(0, p.get("a").getGradient().sum().getFloat(), "the update recorded no gradient history");
        }
    }

    @Test
    void resumeFromStateContinuesExactly() {
        try (NDManager m = Autograd.manager()) {
            JsonNode steps = REF.get("steps");
            Map<String, NDArray> p = params(m);
            Map<String, HostTensor> state;
            try (Sgd first = new Sgd(0.9, 1e-4)) {
                for (int s = 0; s < 3; s++) {
                    first.step(p, grads(m, steps.get(s)), steps.get(s).get("lr").asDouble());
                }
                state = first.state();
            }
            try (Sgd second = new Sgd(0.9, 1e-4)) {
                second.loadState(state, m);
                for (int s = 3; s < 5; s++) {
                    second.step(p, grads(m, steps.get(s)), steps.get(s).get("lr").asDouble());
                }
            }
            for (String n : p.keySet()) {
                assertClose(floats(steps.get(4).get("after").get(n)), p.get(n).toFloatArray(), "resumed " + n);
            }
        }
    }

    @Test
    void byHandWithoutMomentumAndWithADecayOverride() {
        try (NDManager m = Autograd.manager();
             Sgd sgd = new Sgd(0.0, name -> name.endsWith("norm.weight") ? 0.0 : 0.5)) {
            Map<String, NDArray> p = new LinkedHashMap<>();
            p.put("conv.weight", m.create(new float[] {2f}));
            p.put("norm.weight", m.create(new float[] {2f}));
            Map<String, NDArray> g = Map.of("conv.weight", m.create(new float[] {1f}), "norm.weight", m.create(new float[] {1f}));
            sgd.step(p, g, 0.1);
            assertArrayEquals(new float[] {2 - 0.1f * (1 + 0.5f * 2)}, p.get("conv.weight").toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {2 - 0.1f}, p.get("norm.weight").toFloatArray(), 1e-7f);
            assertEquals(0, sgd.state().size(), "no momentum, no buffers");
        }
    }

    @Test
    void stepsParametersThatTookAGradient() {
        try (NDManager m = Autograd.manager(); Sgd sgd = new Sgd(0.9, 0)) {
            NDArray w = m.create(new float[] {1f, 2f});
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(w.mul(w).sum()); // grad 2w
            }
            sgd.step(Map.of("w", w), Map.of("w", w.getGradient()), 0.25);
            assertArrayEquals(new float[] {0.5f, 1f}, w.toFloatArray(), 1e-7f);
            assertFalse(sgd.state().isEmpty());
        }
    }
}
