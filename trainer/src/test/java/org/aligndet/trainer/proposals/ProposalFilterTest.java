package org.aligndet.trainer.proposals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProposalFilterTest {
    private final ProposalFilter f = ProposalFilter.alignDet();

    @Test
    void sizeAspectAndScale() {
        assertTrue(f.passes(new double[] {0, 0, 32, 32}, 640, 480));
        assertFalse(f.passes(new double[] {0, 0, 31.99, 40}, 640, 480));
        assertTrue(f.passes(new double[] {0, 0, 96, 32}, 640, 480));     // aspect 3
        assertFalse(f.passes(new double[] {0, 0, 97, 32}, 640, 480));    // aspect > 3
        assertFalse(f.passes(new double[] {0, 0, 32, 97}, 640, 480));    // aspect < 1/3
        // sqrt(area / (640 * 480)) <= 0.8: 512 x 384 is exactly 0.8
        assertTrue(f.passes(new double[] {0, 0, 512, 384}, 640, 480));
        assertFalse(f.passes(new double[] {0, 0, 513, 384}, 640, 480));
    }

    @Test
    void filterThenNmsThenTopKNumbersSurvivors() {
        List<double[]> ranked = List.of(
                new double[] {0, 0, 10, 10},      // too small
                new double[] {0, 0, 100, 100},
                new double[] {2, 2, 100, 100},    // suppressed by the previous
                new double[] {200, 200, 300, 260},
                new double[] {300, 10, 400, 110});
        List<Proposal> all = f.apply(ranked, 640, 480);
        assertEquals(3, all.size());
        assertEquals(0, all.get(0).index());
        assertEquals(200, all.get(1).x1());
        assertEquals(2, all.get(2).index());
        List<Proposal> top = f.withTopK(2).apply(ranked, 640, 480);
        assertEquals(2, top.size());
        assertEquals(200, top.get(1).x1());
    }
}
