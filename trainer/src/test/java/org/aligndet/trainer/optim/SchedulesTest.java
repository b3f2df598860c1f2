package org.aligndet.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

class SchedulesTest {
    static final JsonNode REF = Reference.load("schedules");

    @Test
    void warmupAndStepsMatchMmcv() {
        JsonNode c = REF.get("lr");
        WarmupStepSchedule s = new WarmupStepSchedule(c.get("baseLr").asDouble(), c.get("warmupIters").asInt(),
                c.get("warmupRatio").asDouble(), Reference.ints(c.get("steps")), c.get("gamma").asDouble());
        for (JsonNode r : c.get("rows")) {
            assertEquals(r.get("lr").asDouble(), s.lr(r.get("iteration").asInt(), r.get("epoch").asInt()), 1e-12, r.toString());
        }
    }

    @Test
    void warmupByHand() {
        WarmupStepSchedule s = new WarmupStepSchedule(0.01, 500, 0.001, new int[] {8, 11}, 0.1);
        assertEquals(0.01 * 0.001, s.lr(0, 0), 1e-15);
        assertEquals(0.01 * (1 - 0.5 * 0.999), s.lr(250, 0), 1e-15);
        assertEquals(0.01, s.lr(500, 7), 1e-15);
        assertEquals(0.001, s.lr(5000, 8), 1e-15);
        assertEquals(0.0001, s.lr(9000, 11), 1e-15);
        assertEquals(0.01, new WarmupStepSchedule(0.01, 0, 0.001, new int[0], 0.1).lr(0, 20), 1e-15);
    }

    @Test
    void momentumScheduleMatchesReference() {
        JsonNode c = REF.get("momentum");
        MomentumSchedule s = new MomentumSchedule(c.get("base").asDouble(), c.get("totalIters").asLong());
        for (JsonNode r : c.get("rows")) {
            assertEquals(r.get("m").asDouble(), s.at(r.get("k").asLong()), 1e-12, r.toString());
        }
        assertEquals(0.996, s.at(0), 1e-15);
        assertEquals(1.0, s.at(c.get("totalIters").asLong()), 1e-15);
    }
}
