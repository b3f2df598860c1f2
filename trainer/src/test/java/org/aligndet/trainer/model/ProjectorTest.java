package org.aligndet.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gathered-row embedding equals running the projector as convolutions on the full maps, and trains. */
class ProjectorTest {
    @ParameterizedTest
    @CsvSource({"9, 1", "1, 3", "3, 1"})
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
}
