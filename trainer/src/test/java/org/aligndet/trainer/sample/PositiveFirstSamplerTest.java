package org.aligndet.trainer.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.SplittableRandom;
import org.aligndet.trainer.assign.Assignment;
import org.junit.jupiter.api.Test;

class PositiveFirstSamplerTest {
    /** {@code pos} positives, then {@code ign} ignored, then {@code neg} background priors. */
    static Assignment assignment(int pos, int ign, int neg) {
        int[] g = new int[pos + ign + neg];
        for (int i = 0; i < g.length; i++) {
            g[i] = i < pos ? i % 3 : i < pos + ign ? Assignment.IGNORED : Assignment.BACKGROUND;
        }
        return new Assignment(g, new float[g.length]);
    }

    @Test
    void countsFollowTheFractionAndTheBudget() {
        PositiveFirstSampler s = new PositiveFirstSampler(100, 0.25);
        Sample a = s.sample(assignment(40, 10, 500), new SplittableRandom(1));
        assertEquals(25, a.positives().length);
        assertEquals(75, a.negatives().length);
        Sample few = s.sample(assignment(10, 10, 500), new SplittableRandom(1));
        assertEquals(10, few.positives().length); // all positives ...
        assertEquals(90, few.negatives().length); // ... and the rest of the budget to negatives
        Sample small = s.sample(assignment(3, 10, 20), new SplittableRandom(1));
        assertEquals(3, small.positives().length);
        assertEquals(20, small.negatives().length); // fewer than the budget: all of them
        assertArrayEquals(new int[] {0, 1, 2}, small.positives());
    }

    @Test
    void sampledIndicesAreDistinctAscendingAndOfTheRightKind() {
        Assignment a = assignment(40, 10, 500);
        Sample s = new PositiveFirstSampler(2048, 1.0).sample(a, new SplittableRandom(7));
        assertEquals(40 + 500, s.size());
        Sample t = new PositiveFirstSampler(64, 0.5).sample(a, new SplittableRandom(7));
        for (int i : t.positives()) {
            assertTrue(a.gtIndex()[i] >= 0);
        }
        for (int i : t.negatives()) {
            assertEquals(Assignment.BACKGROUND, a.gtIndex()[i]);
        }
        int[] all = t.all();
        assertEquals(all.length, new HashSet<>(Arrays.asList(Arrays.stream(all).boxed().toArray())).size());
        int[] sorted = t.negatives().clone();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, t.negatives());
    }

    @Test
    void seededGeneratorGivesTheSameSample() {
        Assignment a = assignment(40, 10, 500);
        PositiveFirstSampler s = new PositiveFirstSampler(64, 0.25);
        Sample x = s.sample(a, new SplittableRandom(42)), y = s.sample(a, new SplittableRandom(42));
        assertArrayEquals(x.positives(), y.positives());
        assertArrayEquals(x.negatives(), y.negatives());
        Sample z = s.sample(a, new SplittableRandom(43));
        assertTrue(!Arrays.equals(x.negatives(), z.negatives()), "another seed, another sample");
    }

    @Test
    void negativesDrawnWithoutListingThemEqualTheListedDraw() {
        SplittableRandom data = new SplittableRandom(9);
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + data.nextInt(3000);
            int[] g = new int[n];
            for (int i = 0; i < n; i++) {
                int r = data.nextInt(10);
                g[i] = r < 1 ? r : r < 3 ? Assignment.IGNORED : Assignment.BACKGROUND;
            }
            int[] listed = new Assignment(g, new float[n]).negatives();
            int k = data.nextInt(listed.length + 50);
            long seed = data.nextLong();
            SplittableRandom r1 = new SplittableRandom(seed), r2 = new SplittableRandom(seed);
            assertArrayEquals(PositiveFirstSampler.choose(listed, k, r1), PositiveFirstSampler.chooseNegatives(g, k, r2),
                    "trial " + trial + ": " + k + " of " + listed.length);
            assertEquals(r1.nextLong(), r2.nextLong(), "trial " + trial + ": the same draws from the generator");
        }
    }

    @Test
    void emptyAssignment() {
        Sample s = new PositiveFirstSampler(16, 0.5).sample(Assignment.allBackground(0), new SplittableRandom(0));
        assertEquals(0, s.size());
    }
}
