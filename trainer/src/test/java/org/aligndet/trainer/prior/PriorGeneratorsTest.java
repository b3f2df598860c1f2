package org.aligndet.trainer.prior;

import static org.aligndet.trainer.testing.Reference.assertClose;
import static org.aligndet.trainer.testing.Reference.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

class PriorGeneratorsTest {
    static final JsonNode REF = Reference.load("priors");

    @Test
    void anchorsMatchReference() {
        for (JsonNode c : REF.get("anchorCases")) {
            double[] ratios = new double[c.get("ratios").size()];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = c.get("ratios").get(i).asDouble();
            }
            AnchorGenerator gen = new AnchorGenerator(c.get("octaveBaseScale").asDouble(), c.get("scalesPerOctave").asInt(),
                    ratios, Reference.ints(c.get("strides")), c.get("centerOffset").asDouble());
            assertEquals(ratios.length * c.get("scalesPerOctave").asInt(), gen.numAnchors());
            for (JsonNode l : c.get("levels")) {
                assertClose(floats(l.get("anchors")), gen.anchors(l.get("level").asInt(), l.get("h").asInt(), l.get("w").asInt()),
                        "anchors " + c + " level " + l.get("level"));
            }
        }
    }

    @Test
    void oneAnchorByHand() {
        AnchorGenerator gen = new AnchorGenerator(2, 1, new double[] {1.0}, new int[] {8}, 0.5);
        // base 8 * scale 2 = 16 wide, centred at 4: [-4, -4, 12, 12]; the next location is 8 to the right
        assertArrayEquals(new float[] {-4, -4, 12, 12, 4, -4, 20, 12}, gen.anchors(0, 1, 2));
        assertEquals(0, gen.anchors(0, 0, 5).length);
    }

    @Test
    void pointsMatchReference() {
        PointGenerator gen = new PointGenerator(Reference.ints(REF.get("pointStrides")));
        for (JsonNode l : REF.get("points")) {
            assertClose(floats(l.get("points")), gen.points(l.get("level").asInt(), l.get("h").asInt(), l.get("w").asInt()),
                    "points level " + l.get("level"));
        }
        assertArrayEquals(new float[] {4, 4, 12, 4}, new PointGenerator(new int[] {8}).points(0, 1, 2));
    }
}
