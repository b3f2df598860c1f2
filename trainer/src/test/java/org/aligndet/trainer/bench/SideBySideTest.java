package org.aligndet.trainer.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SideBySideTest {
    @Test
    void alternatesBlocksAndCountsSteadyRunsApart() throws Exception {
        List<String> order = new ArrayList<>();
        Map<String, Timing> t = new SideBySide()
                .add("a", run -> order.add("a" + run))
                .add("b", run -> order.add("b" + run))
                .measure(1, 5, 2);
        assertEquals(List.of("a-1", "b-1", "a0", "a1", "b0", "b1", "a2", "a3", "b2", "b3", "a4", "b4"), order);
        for (String k : List.of("a", "b")) {
            Timing v = t.get(k);
            assertEquals(5, v.runs());
            if (v.minorFaults() >= 0) { // where /proc/self/stat is readable
                // blocks of 2, 2 and 1: the second run of each full block is a steady one
                assertEquals(2, v.steadyRuns(), k);
                assertTrue(v.steadyFaultsPerRun() >= 0, k);
                assertTrue(v.json().containsKey("steady_minor_faults_per_run"), k);
            }
        }
    }

    @Test
    void blocksOfOneHaveNoSteadyFigure() throws Exception {
        Timing t = new SideBySide().add("a", run -> { }).measure(0, 3, 1).get("a");
        assertEquals(-1, t.steadyFaultsPerRun(), 0.0);
        assertTrue(!t.json().containsKey("steady_minor_faults_per_run"));
        assertArrayEquals(new double[] {-1, -1}, new double[] {Timing.of(List.of(1.0)).steadyFaultsPerRun(), Timing.of(List.of(1.0)).faultsPerRun()});
    }
}
