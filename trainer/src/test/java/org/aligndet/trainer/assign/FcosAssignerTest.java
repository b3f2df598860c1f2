package org.aligndet.trainer.assign;

import static org.aligndet.trainer.testing.Reference.assertClose;
import static org.aligndet.trainer.testing.Reference.floats;
import static org.aligndet.trainer.testing.Reference.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FcosAssignerTest {
    static final JsonNode REF = Reference.load("fcos_targets");

    static List<JsonNode> cases() {
        List<JsonNode> out = new ArrayList<>();
        REF.get("cases").forEach(out::add);
        return out;
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void matchesReference(JsonNode c) {
        JsonNode rr = REF.get("regressRanges");
        float[][] ranges = new float[rr.size()][];
        for (int i = 0; i < ranges.length; i++) {
            ranges[i] = floats(rr.get(i));
        }
        float[][] points = new float[REF.get("points").size()][];
        for (int i = 0; i < points.length; i++) {
            points[i] = floats(REF.get("points").get(i));
        }
        FcosAssigner a = new FcosAssigner(ints(REF.get("strides")), ranges, c.get("centerSampling").asBoolean(),
                REF.get("radius").floatValue(), c.get("normOnBbox").asBoolean());
        FcosTargets t = a.assign(points, floats(c.get("gts")));
        String name = c.get("name").asText();
        assertArrayEquals(ints(c.get("gtIndex")), t.gtIndex(), name);
        assertClose(floats(c.get("bboxTargets")), t.bboxTargets(), name + " targets");
        float[] expected = floats(c.get("centerness"));
        int[] pos = t.positives();
        float[] got = FcosAssigner.centerness(t.targetsOf(pos));
        float[] want = new float[pos.length];
        for (int k = 0; k < pos.length; k++) {
            want[k] = expected[pos[k]];
        }
        assertClose(want, got, name + " centerness");
    }

    @Test
    void onePointByHand() {
        FcosAssigner a = new FcosAssigner(new int[] {8}, new float[][] {{-1, 64}}, false, 1.5f, false);
        // point (4, 4) inside gt 1 (smaller) and gt 0; point (20, 4) only inside gt 0; (60, 60) in none
        float[] gts = {0, 0, 32, 32, 2, 2, 10, 12};
        FcosTargets t = a.assign(new float[][] {{4, 4, 20, 4, 60, 60}}, gts);
        assertArrayEquals(new int[] {1, 0, FcosTargets.BACKGROUND}, t.gtIndex());
        assertArrayEquals(new float[] {2, 2, 6, 8, 20, 4, 12, 28, 0, 0, 0, 0}, t.bboxTargets());
        assertArrayEquals(new float[] {(float) Math.sqrt(2.0 / 6 * 2.0 / 8)},
                FcosAssigner.centerness(new float[] {2, 2, 6, 8}), 1e-7f);
    }

    @Test
    void rangeEndsAreInclusiveAndNormalisationDividesByStride() {
        FcosAssigner a = new FcosAssigner(new int[] {16}, new float[][] {{0, 8}}, false, 1.5f, true);
        FcosTargets t = a.assign(new float[][] {{8, 8}}, new float[] {0, 0, 16, 16}); // max distance exactly 8
        assertArrayEquals(new int[] {0}, t.gtIndex());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, t.bboxTargets());
    }

    @Test
    void noGts() {
        FcosTargets t = FcosAssigner.fcos().assign(new float[][] {{4, 4}, {}, {}, {}, {}}, new float[0]);
        assertArrayEquals(new int[] {FcosTargets.BACKGROUND}, t.gtIndex());
        assertEquals(0, t.positives().length);
        assertEquals(0, FcosAssigner.centerness(new float[0]).length);
    }
}
