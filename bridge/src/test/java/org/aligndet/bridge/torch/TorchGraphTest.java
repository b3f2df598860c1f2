package org.aligndet.bridge.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.tensor.TensorBundle;
import org.aligndet.bridge.testing.Repo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed tiny RetinaNet graph through DJL: stage methods, gradients, freezing, cloning, saving. */
class TorchGraphTest {
    static final String[] STAGES = {"backbone_forward", "neck_forward", "head_forward", "classify"};
    static TorchGraph graph;
    static Map<String, HostTensor> fixture;
    static NDManager nd;

    @BeforeAll
    static void load() throws Exception {
        graph = TorchGraph.load(Repo.resolve("model-specs/graphs/retinanet_tiny.ts"), Device.cpu(), STAGES);
        fixture = TensorBundle.read(Repo.resolve("model-specs/fixtures/retinanet_tiny/graph"));
        nd = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterAll
    static void close() {
        nd.close();
        graph.close();
    }

    static NDList run(TorchGraph g, NDArray x, boolean grad) {
        NDList feats = g.call("backbone_forward", grad, x);
        NDList pyr = g.call("neck_forward", grad, feats);
        NDList head = g.call("head_forward", grad, pyr);
        NDList cls = new NDList(head.subList(0, 5));
        NDList logits = g.call("classify", grad, cls);
        NDList all = new NDList();
        all.addAll(feats);
        all.addAll(pyr);
        all.addAll(head);
        all.addAll(logits);
        return all;
    }

    static double maxAbsDiff(NDArray a, HostTensor expected) {
        assertEquals(new Shape(expected.shape()), a.getShape());
        float[] x = a.toFloatArray();
        float[] y = expected.toFloats();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    @Test
    void stageOutputsMatchTheGeneratorFixture() {
        try (NDManager m = nd.newSubManager()) {
            NDArray x = NdTensors.toNd(m, fixture.get("input"));
            NDList out = run(graph, x, false);
            String[] names = new String[25];
            for (int i = 0; i < 3; i++) names[i] = "backbone." + i;
            for (int i = 0; i < 5; i++) {
                names[3 + i] = "neck." + i;
                names[8 + i] = "head.cls_feats." + i;
                names[13 + i] = "head.box_out." + i;
                names[18 + i] = "classify." + i;
            }
            assertEquals(23, out.size());
            for (int i = 0; i < 23; i++) {
                double d = maxAbsDiff(out.get(i), fixture.get(names[i]));
                assertTrue(d < 1e-4, names[i] + " differs from the PyTorch fixture by " + d);
            }
        }
    }

    @Test
    void gradientsReachNeckAndHeadButNotTheFrozenBackbone() {
        try (TorchGraph g = TorchGraph.load(Repo.resolve("model-specs/graphs/retinanet_tiny.ts"), Device.cpu());
             NDManager m = nd.newSubManager()) {
            int frozen = g.freezePrefixes("backbone.");
            assertTrue(frozen > 20, "backbone parameters frozen: " + frozen);
            g.setTraining(true);
            NDArray x = NdTensors.toNd(m, fixture.get("input"));
            // a Java-side projection on a stage output: W [64, 16]
            NDArray w = m.randomNormal(new Shape(64, 16)).mul(0.1f);
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDList feats = g.call("backbone_forward", true, x);
                NDList head = g.call("head_forward", true, g.call("neck_forward", true, feats));
                NDList logits = g.call("classify", true, new NDList(head.subList(0, 5)));
                NDArray loss = m.zeros(new Shape());
                for (NDArray a : logits) loss = loss.add(a.square().sum());
                for (NDArray a : head.subList(5, 10)) loss = loss.add(a.square().sum());
                // cls_feats of P3 [2, 64, 8, 12] -> [2*8*12, 64] @ W
                NDArray c = head.get(0).transpose(0, 2, 3, 1).reshape(-1, 64);
                loss = loss.add(c.matMul(w).square().sum());
                gc.backward(loss);
            }
            int reached = 0;
            for (String name : g.parameters().keySet()) {
                NDArray grad = g.gradient(name);
                if (name.startsWith("backbone.")) {
                    assertNull(grad, name + " is frozen but received a gradient");
                } else {
                    assertNotNull(grad, name + " received no gradient");
                    assertTrue(grad.abs().sum().getFloat() > 0, name + " has an all-zero gradient");
                    reached++;
                }
            }
            assertTrue(reached > 30);
            assertTrue(w.getGradient().abs().sum().getFloat() > 0, "the Java-side projection got no gradient");
            g.zeroGrad();
            assertEquals(0f, g.gradient("neck.lateral_convs.0.conv.weight").abs().sum().getFloat());
        }
    }

    @Test
    void outputsOfAGradFreeCallCanFeedAGradientPass() {
        // the momentum detector's outputs meet the online detector's in one loss: no inference tensors
        try (TorchGraph online = TorchGraph.load(Repo.resolve("model-specs/graphs/retinanet_tiny.ts"), Device.cpu());
             NDManager m = nd.newSubManager()) {
            try (TorchGraph momentum = online.copyFrozen()) {
                NDArray x = NdTensors.toNd(m, fixture.get("input"));
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray k = momentum.call("neck_forward", false, momentum.call("backbone_forward", false, x)).get(0);
                    NDArray q = online.call("neck_forward", true, online.call("backbone_forward", false, x)).get(0);
                    gc.backward(q.mul(k).sum());
                }
                assertNotNull(online.gradient("neck.lateral_convs.0.conv.weight"));
                assertNull(online.gradient("backbone.conv1.weight"));
            }
        }
    }

    @Test
    void frozenCopyIsIndependentAndTakesNoGradient() {
        try (TorchGraph online = TorchGraph.load(Repo.resolve("model-specs/graphs/retinanet_tiny.ts"), Device.cpu());
             NDManager m = nd.newSubManager()) {
            try (TorchGraph momentum = online.copyFrozen()) {
                assertTrue(momentum.trainableNames().isEmpty());
                assertFalse(online.trainableNames().isEmpty());
                NDArray x = NdTensors.toNd(m, fixture.get("input"));
                NDArray a = run(online, x, false).get(22);
                NDArray b = run(momentum, x, false).get(22);
                assertEquals(0.0, a.sub(b).abs().max().getFloat(), 0.0);
                // change the online detector: the copy must not follow
                HostTensor bias = online.stateDict().get("bbox_head.retina_cls.bias");
                float[] v = bias.toFloats();
                v[0] += 1f;
                online.load(Map.of("bbox_head.retina_cls.bias", HostTensor.ofFloats(bias.shape(), v)));
                NDArray a2 = run(online, x, false).get(22);
                NDArray b2 = run(momentum, x, false).get(22);
                assertEquals(0.0, b.sub(b2).abs().max().getFloat(), 0.0);
                assertTrue(a2.sub(b2).abs().max().getFloat() > 0.5f);
            }
        }
    }

    @Test
    void savedGraphReloadsWithTheSameWeights(@TempDir Path dir) throws Exception {
        try (TorchGraph g = TorchGraph.load(Repo.resolve("model-specs/graphs/retinanet_tiny.ts"), Device.cpu())) {
            HostTensor w = g.stateDict().get("neck.fpn_convs.0.gn.bias");
            float[] v = w.toFloats();
            v[3] = 42f;
            var report = g.load(Map.of("neck.fpn_convs.0.gn.bias", HostTensor.ofFloats(w.shape(), v),
                    "not.a.parameter", HostTensor.ofFloats(new long[] {1}, 1f)));
            assertEquals(List.of("neck.fpn_convs.0.gn.bias"), report.loaded());
            assertEquals(List.of("not.a.parameter"), report.unexpected());
            Path out = dir.resolve("saved.ts");
            g.save(out);
            try (TorchGraph r = TorchGraph.load(out, Device.cpu(), STAGES)) {
                assertEquals(42f, r.stateDict().get("neck.fpn_convs.0.gn.bias").toFloats()[3]);
                assertEquals(g.stateDict().keySet(), r.stateDict().keySet());
            }
        }
    }

    @Test
    void badInputGetsOneClearError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.ts");
        GraphException e1 = assertThrows(GraphException.class, () -> TorchGraph.load(missing, Device.cpu()));
        assertTrue(e1.getMessage().contains("nope.ts") && e1.getMessage().contains("no such file"), e1.getMessage());
        Path garbage = dir.resolve("garbage.ts");
        Files.writeString(garbage, "hello");
        GraphException e2 = assertThrows(GraphException.class, () -> TorchGraph.load(garbage, Device.cpu()));
        assertTrue(e2.getMessage().contains("garbage.ts") && e2.getMessage().contains("not a TorchScript"), e2.getMessage());
        GraphException e3 = assertThrows(GraphException.class, () -> TorchGraph.load(
                Repo.resolve("model-specs/graphs/retinanet_tiny.ts"), Device.cpu(), "backbone_forward", "transformer_forward"));
        assertTrue(e3.getMessage().contains("retinanet_tiny.ts") && e3.getMessage().contains("transformer_forward"), e3.getMessage());
    }
}
