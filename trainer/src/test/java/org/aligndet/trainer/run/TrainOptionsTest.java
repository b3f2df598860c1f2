package org.aligndet.trainer.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.aligndet.trainer.optim.LrSchedule;
import org.aligndet.trainer.optim.MomentumSchedule;
import org.junit.jupiter.api.Test;

/** Schedules sized to the run: warm-up, lr steps and the EMA momentum follow --iters, not the recipe's epochs. */
class TrainOptionsTest {
    static TrainOptions recipe() {
        TrainOptions o = new TrainOptions();
        o.epochs = 12;
        o.lr = 0.01;
        o.warmupIters = 100;
        o.warmupRatio = 0.001;
        o.steps = new int[] {8, 11};
        return o;
    }

    @Test
    void stepsAndWarmUpArePlacedOnTheIterations() {
        TrainOptions o = recipe();
        o.iters = 300;
        assertEquals(300, o.totalIterations(25));
        // steps at round(8/12 * 300) = 200 and round(11/12 * 300) = 275; warm-up capped at 10 % = 30
        assertArrayEquals(new int[] {200, 275}, LrSchedule.scaled(o.steps, o.epochs, 300));
        assertEquals(30, o.warmupFor(300));
        LrSchedule s = o.lrSchedule(300);
        assertEquals(0.01 * 0.001, s.lr(0, 0), 1e-15);
        assertEquals(0.01 * (1 - 0.5 * 0.999), s.lr(15, 0), 1e-15);
        assertEquals(0.01, s.lr(30, 1), 1e-15);
        assertEquals(0.01, s.lr(199, 7), 1e-15);
        assertEquals(0.001, s.lr(200, 8), 1e-15);
        assertEquals(0.001, s.lr(274, 10), 1e-15);
        assertEquals(0.0001, s.lr(275, 11), 1e-15);
    }

    @Test
    void aLongRunKeepsTheRecipesWarmUpAndAnExplicitOneIsKept() {
        TrainOptions o = recipe();
        o.iters = 12000;
        assertEquals(100, o.warmupFor(12000));
        o.iters = 200;
        o.warmupIters = 150;
        o.warmupGiven = true;
        assertEquals(150, o.warmupFor(200));
    }

    @Test
    void epochRunsStepByEpoch() {
        TrainOptions o = recipe();
        assertEquals(12 * 25, o.totalIterations(25));
        LrSchedule s = o.lrSchedule(300);
        assertEquals(0.01, s.lr(199, 7), 1e-15);
        assertEquals(0.001, s.lr(199, 8), 1e-15);
        assertEquals(100, o.warmupFor(300));
    }

    @Test
    void theMomentumReachesOneAtTheLastIteration() {
        MomentumSchedule m = new MomentumSchedule(0.996, 300);
        assertEquals(0.996, m.at(0), 1e-15);
        assertEquals(0.998, m.at(150), 1e-12);
        assertEquals(1.0, m.at(300), 1e-15);
    }
}
