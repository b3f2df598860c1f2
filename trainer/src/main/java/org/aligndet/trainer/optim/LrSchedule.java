package org.aligndet.trainer.optim;

import java.util.Arrays;

/**
 * A run's learning rate: linear warm-up, then x{@code gamma} at each step ({@link WarmupStepSchedule}).
 * The recipe's steps are epochs. Applied by epoch when the run lasts whole epochs; when its length is
 * a number of iterations, the steps are placed at the same fractions of it,
 * {@code round(step / epochs * iterations)} (mmdetection's iteration-based configs do the same;
 * duplicates and steps at 0 or past the end dropped).
 */
public final class LrSchedule {
    private final WarmupStepSchedule schedule;
    private final boolean byIteration;

    private LrSchedule(WarmupStepSchedule schedule, boolean byIteration) {
        this.schedule = schedule;
        this.byIteration = byIteration;
    }

    /** Steps at the recipe's epochs. */
    public static LrSchedule byEpoch(double lr, int warmupIters, double warmupRatio, int[] stepEpochs) {
        return new LrSchedule(new WarmupStepSchedule(lr, warmupIters, warmupRatio, stepEpochs, 0.1), false);
    }

    /** Steps at the recipe's epochs scaled onto {@code iterations}. */
    public static LrSchedule byIteration(double lr, int warmupIters, double warmupRatio, int[] stepEpochs, int epochs,
                                         long iterations) {
        return new LrSchedule(new WarmupStepSchedule(lr, warmupIters, warmupRatio, scaled(stepEpochs, epochs, iterations), 0.1),
                true);
    }

    /** The step epochs placed on a run of {@code iters} iterations. */
    public static int[] scaled(int[] stepEpochs, int epochs, long iters) {
        return Arrays.stream(stepEpochs)
                .mapToLong(s -> Math.round((double) s / epochs * iters))
                .filter(s -> s > 0 && s < iters)
                .distinct()
                .mapToInt(s -> (int) s)
                .toArray();
    }

    /** The rate at 0-based global {@code iteration} in 0-based {@code epoch}. */
    public double lr(long iteration, int epoch) {
        int it = (int) Math.min(iteration, Integer.MAX_VALUE);
        return schedule.lr(it, byIteration ? it : epoch);
    }
}
