package org.aligndet.trainer.detect;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.testing.Reference;

/** Per-level head maps from a supervised fixture, and one backward pass through a loss. */
final class LevelMaps {
    private LevelMaps() {
    }

    /** Leaf arrays {@code [N, c, H_l, W_l]} that collect gradients, from the fixture's flat per-level lists. */
    static List<NDArray> leaves(NDManager m, JsonNode perLevel, JsonNode sizes, int batch, int c) {
        List<NDArray> out = new ArrayList<>();
        for (int l = 0; l < perLevel.size(); l++) {
            NDArray x = m.create(Reference.floats(perLevel.get(l)),
                    new Shape(batch, c, sizes.get(l).get(0).asInt(), sizes.get(l).get(1).asInt()));
            x.setRequiresGradient(true);
            out.add(x);
        }
        return out;
    }

    static int[] heights(JsonNode sizes) {
        int[] h = new int[sizes.size()];
        for (int l = 0; l < h.length; l++) {
            h[l] = sizes.get(l).get(0).asInt();
        }
        return h;
    }

    static int[] widths(JsonNode sizes) {
        int[] w = new int[sizes.size()];
        for (int l = 0; l < w.length; l++) {
            w[l] = sizes.get(l).get(1).asInt();
        }
        return w;
    }

    static List<GtBoxes> gts(JsonNode fixture) {
        List<GtBoxes> out = new ArrayList<>();
        for (int b = 0; b < fixture.get("gts").size(); b++) {
            out.add(new GtBoxes(Reference.floats(fixture.get("gts").get(b)), Reference.ints(fixture.get("labels").get(b))));
        }
        return out;
    }

    /** Runs {@code loss}, back-propagates the total, returns each term's value. */
    static java.util.Map<String, Double> backward(Supplier<LossTerms> loss) {
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            LossTerms t = loss.get();
            gc.backward(t.total());
            return t.values();
        }
    }

    static void assertGrads(JsonNode expected, List<NDArray> leaves, String what) {
        for (int l = 0; l < leaves.size(); l++) {
            Reference.assertClose(Reference.floats(expected.get(l)), leaves.get(l).getGradient().toFloatArray(),
                    what + " level " + l);
        }
    }
}
