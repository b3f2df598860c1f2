package org.aligndet.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.run.Gradients;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gathered-row embedding equals running the projector as convolutions on the full maps, and trains. */
class ProjectorTest {
    @ParameterizedTest
    @CsvSource({"9, 1", "1, 3", "3, 1", "9, 3"})
    void embeddingEqualsFullMapProjectorAtTheSampledPriors(int anchors, int kernel) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            m.getEngine().setRandomSeed(3);
            int c = 8;
            int d = 5;
            List<NDArray> feats = List.of(m.randomNormal(new Shape(2, c, 4, 6)), m.randomNormal(new Shape(2, c, 2, 3)));
            PriorLayout layout = new PriorLayout(2, anchors, new int[] {4, 2}, new int[] {6, 3});
            Projector p = Projector.create(m, c, anchors, d, kernel, 11);
            // make the weights larger than the 0.01 init so differences would show
            p.parameters().values().forEach(a -> a.muli(50));
            int[] images = {0, 1, 1, 0, 1};
            int[] priors = {0, layout.priorsPerImage() - 1, 7 * anchors + anchors - 1, layout.levelStart(1) + 2, 3};
            NDArray got = p.embed(feats, layout, images, priors);
            assertEquals(new Shape(5, d), got.getShape());
            for (int i = 0; i < images.length; i++) {
                int l = layout.levelOf(priors[i]);
                int local = priors[i] - layout.levelStart(l);
                int loc = local / anchors;
                int a = local % anchors;
                NDArray map = Conv2d.conv2d(feats.get(l), p.parameters().get(Projector.W1), p.parameters().get(Projector.B1),
                        new Shape(1, 1), new Shape(kernel / 2, kernel / 2), new Shape(1, 1)).singletonOrThrow();
                map = Activation.relu(map);
                NDArray out = Conv2d.conv2d(map, p.parameters().get(Projector.W2), p.parameters().get(Projector.B2)).singletonOrThrow();
                int y = loc / layout.width(l);
                int x = loc % layout.width(l);
                float[] want = out.get(images[i]).get(":, " + y + ", " + x).reshape(anchors, d).get(a).toFloatArray();
                float[] have = got.get(i).toFloatArray();
                for (int j = 0; j < d; j++) {
                    assertEquals(want[j], have[j], 1e-4, "row " + i + " dim " + j);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"9, 1", "1, 3"})
    void gradientsReachProjectorAndFeatures(int anchors, int kernel) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray f = m.randomNormal(new Shape(1, 4, 3, 3));
            f.setRequiresGradient(true);
            PriorLayout layout = new PriorLayout(1, anchors, new int[] {3}, new int[] {3});
            Projector p = Projector.create(m, 4, anchors, 6, kernel, 5);
            Projector frozen = p.frozenCopy(m);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray z = p.embed(List.of(f), layout, new int[] {0, 0}, new int[] {1, 2 * anchors});
                gc.backward(z.square().sum());
            }
            for (var e : p.parameters().entrySet()) {
                assertTrue(e.getValue().getGradient().abs().sum().getFloat() > 0, e.getKey() + " got no gradient");
            }
            assertTrue(f.getGradient().abs().sum().getFloat() > 0);
            frozen.parameters().values().forEach(a -> assertTrue(!a.hasGradient(), "momentum projector must not take gradients"));
        }
    }

    /** The projector on the full maps, picked at each sample: the definition the gathered embedding must equal. */
    private static NDArray fullMapEmbedding(Projector p, List<NDArray> feats, PriorLayout layout, int[] images, int[] priors,
                                            int kernel, int anchors, int d) {
        NDList rows = new NDList();
        for (int i = 0; i < images.length; i++) {
            int l = layout.levelOf(priors[i]);
            int local = priors[i] - layout.levelStart(l);
            int loc = local / anchors;
            NDArray map = Activation.relu(Conv2d.conv2d(feats.get(l), p.parameters().get(Projector.W1), p.parameters().get(Projector.B1),
                    new Shape(1, 1), new Shape(kernel / 2, kernel / 2), new Shape(1, 1)).singletonOrThrow());
            NDArray out = Conv2d.conv2d(map, p.parameters().get(Projector.W2), p.parameters().get(Projector.B2)).singletonOrThrow();
            int y = loc / layout.width(l);
            int x = loc % layout.width(l);
            rows.add(out.get(images[i]).get(":, " + y + ", " + x).reshape(anchors, d).get(local % anchors).expandDims(0));
        }
        return NDArrays.concat(rows, 0);
    }

    @ParameterizedTest
    @CsvSource({"9, 1", "1, 3", "9, 3"})
    void gradientsEqualTheFullMapProjectors(int anchors, int kernel) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            m.getEngine().setRandomSeed(5);
            int c = 6;
            int d = 4;
            PriorLayout layout = new PriorLayout(2, anchors, new int[] {4, 2}, new int[] {5, 3});
            Projector p = Projector.create(m, c, anchors, d, kernel, 17);
            p.parameters().values().forEach(a -> a.muli(40));
            // samples out of level order, one location twice, corners included
            int[] images = {1, 0, 1, 0, 1, 1};
            int[] priors = {layout.levelStart(1) + 1, layout.priorsPerImage() - 1, 0, 4 * anchors + 1 % anchors,
                    layout.levelStart(1) + 1, layout.levelStart(1) - 1};
            NDArray weights = m.randomNormal(new Shape(images.length, d));
            List<NDArray> base = List.of(m.randomNormal(new Shape(2, c, 4, 5)), m.randomNormal(new Shape(2, c, 2, 3)));
            float[][] grads = new float[2][];
            List<Map<String, float[]>> paramGrads = List.of(new HashMap<>(), new HashMap<>());
            for (int way = 0; way < 2; way++) {
                List<NDArray> feats = List.of(base.get(0).duplicate(), base.get(1).duplicate());
                feats.forEach(f -> f.setRequiresGradient(true));
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray z = way == 0 ? p.embed(feats, layout, images, priors)
                            : fullMapEmbedding(p, feats, layout, images, priors, kernel, anchors, d);
                    gc.backward(z.mul(weights).sum());
                }
                grads[way] = NDArrays.concat(new NDList(feats.get(0).getGradient().reshape(-1), feats.get(1).getGradient().reshape(-1)))
                        .toFloatArray();
                Map<String, NDArray> g = Gradients.of(p.parameters());
                for (String k : List.of(Projector.W1, Projector.B1, Projector.W2, Projector.B2)) {
                    assertTrue(g.containsKey(k), k + " got no gradient (" + (way == 0 ? "embed" : "full maps") + ")");
                    paramGrads.get(way).put(k, g.get(k).toFloatArray());
                }
                Gradients.release(g, p.parameters().values());
            }
            // the projector's own parameters get the full-map layers' gradients too (the second layer
            // runs per anchor slot: each slot's block of the weight and bias)
            for (String k : List.of(Projector.W1, Projector.B1, Projector.W2, Projector.B2)) {
                float[] want = paramGrads.get(1).get(k), got = paramGrads.get(0).get(k);
                float pScale = 0;
                for (float v : want) {
                    pScale = Math.max(pScale, Math.abs(v));
                }
                assertTrue(pScale > 0, k + ": the reference has no gradient");
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-4 * pScale, k + " gradient " + i);
                }
            }
            float scale = 0;
            for (float g : grads[1]) {
                scale = Math.max(scale, Math.abs(g));
            }
            assertTrue(scale > 0, "the reference has no gradient");
            for (int i = 0; i < grads[0].length; i++) {
                assertEquals(grads[1][i], grads[0][i], 1e-4 * scale, "feature gradient " + i);
            }
        }
    }
}
