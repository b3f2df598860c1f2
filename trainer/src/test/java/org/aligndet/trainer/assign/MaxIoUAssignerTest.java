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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MaxIoUAssignerTest {
    static final int BG = Assignment.BACKGROUND, IGN = Assignment.IGNORED;

    static List<JsonNode> cases() {
        List<JsonNode> out = new ArrayList<>();
        Reference.load("max_iou_assigner").get("cases").forEach(out::add);
        return out;
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void matchesReference(JsonNode c) {
        MaxIoUAssigner a = new MaxIoUAssigner(c.get("posIou").floatValue(), c.get("negIou").floatValue(),
                c.get("minPosIou").floatValue(), c.get("gtMaxAssignAll").asBoolean(), c.get("matchLowQuality").asBoolean());
        Assignment r = a.assign(floats(c.get("priors")), floats(c.get("gts")));
        assertArrayEquals(ints(c.get("gtIndex")), r.gtIndex(), c.get("name").asText());
        assertClose(floats(c.get("maxOverlap")), r.maxOverlap(), c.get("name").asText() + " maxOverlap");
    }

    @Test
    void threePriorsByHand() {
        float[] gts = {0, 0, 10, 10};
        float[] priors = {
            0, 0, 10, 8, // IoU 0.8 → positive
            0, 0, 10, 4.5f, // IoU 0.45 → between thresholds → ignored
            20, 20, 30, 30, // IoU 0 → background
        };
        Assignment r = new MaxIoUAssigner(0.5f, 0.4f, 0f, true, false).assign(priors, gts);
        assertArrayEquals(new int[] {0, IGN, BG}, r.gtIndex());
        assertArrayEquals(new float[] {0.8f, 0.45f, 0f}, r.maxOverlap(), 1e-6f);
        assertArrayEquals(new int[] {0}, r.positives());
        assertArrayEquals(new int[] {2}, r.negatives());
    }

    @Test
    void lowQualityMatchRescuesAGtWithoutPositives() {
        float[] gts = {0, 0, 10, 10};
        float[] priors = {0, 0, 10, 3, 0, 0, 10, 2}; // IoUs 0.3, 0.2: no positive by threshold
        assertArrayEquals(new int[] {BG, BG}, new MaxIoUAssigner(0.5f, 0.4f, 0f, true, false).assign(priors, gts).gtIndex());
        assertArrayEquals(new int[] {0, BG}, MaxIoUAssigner.retinaNet().assign(priors, gts).gtIndex());
    }

    @Test
    void noGtsAndNoPriors() {
        Assignment none = MaxIoUAssigner.retinaNet().assign(new float[] {0, 0, 1, 1, 2, 2, 3, 3}, new float[0]);
        assertArrayEquals(new int[] {BG, BG}, none.gtIndex());
        assertArrayEquals(new float[] {0, 0}, none.maxOverlap());
        assertEquals(0, MaxIoUAssigner.retinaNet().assign(new float[0], new float[] {0, 0, 1, 1}).size());
    }

    /**
     * The candidate scan reuses its per-prior arrays on a thread: a call after a larger one whose
     * priors went to other gts must still match the full scan, including where no gt overlaps and a
     * zero positive threshold makes such a prior positive (gt 0, as the full scan gives).
     */
    @Test
    void candidateScanAfterALargerCallMatchesTheFullScan() {
        MaxIoUAssigner zeroPos = new MaxIoUAssigner(0f, 0f, 0f, true, false);
        MaxIoUAssigner.Candidates everyPrior = (x1, y1, x2, y2, sink) -> sink.range(0, Integer.MAX_VALUE);
        float[] big = new float[4 * 50];
        for (int j = 0; j < 50; j++) {
            big[4 * j] = 2 * j;
            big[4 * j + 2] = 2 * j + 6;
            big[4 * j + 3] = 10;
        }
        float[] gtsBig = {40, 0, 100, 10, 0, 0, 50, 10}; // the second gt takes the priors left of x = 40
        float[] small = {200, 0, 210, 10, 0, 0, 10, 10, 300, 0, 310, 10}; // priors 0 and 2 overlap nothing
        float[] gtsSmall = {0, 0, 10, 10};
        for (MaxIoUAssigner a : new MaxIoUAssigner[] {zeroPos, MaxIoUAssigner.retinaNet()}) {
            assertArrayEquals(a.assign(big, gtsBig).gtIndex(), a.assign(big, gtsBig, clamp(everyPrior, 50)).gtIndex());
            Assignment full = a.assign(small, gtsSmall);
            Assignment scanned = a.assign(small, gtsSmall, clamp(everyPrior, 3));
            assertArrayEquals(full.gtIndex(), scanned.gtIndex());
            assertArrayEquals(full.maxOverlap(), scanned.maxOverlap());
        }
        assertArrayEquals(new int[] {0, 0, 0}, zeroPos.assign(small, gtsSmall, clamp(everyPrior, 3)).gtIndex());
    }

    private static MaxIoUAssigner.Candidates clamp(MaxIoUAssigner.Candidates c, int n) {
        return (x1, y1, x2, y2, sink) -> c.ranges(x1, y1, x2, y2, (from, to) -> sink.range(from, Math.min(to, n)));
    }
}
