package org.aligndet.trainer.finetune;

import java.util.Arrays;
import org.aligndet.trainer.optim.WarmupStepSchedule;

/**
 * The learning rate of a fine-tuning run: linear warm-up, then x0.1 at each step. By epoch when the
 * run is epoch-based; when it is iteration-based ({@code iters > 0}) the recipe's step epochs are
 * placed at the same fractions of the run, {@code round(step / epochs * iters)} (duplicates and
 * steps at 0 or past the end dropped).
 */
final class FinetuneSchedule {
    private final WarmupStepSchedule schedule;
    private final boolean byIteration;

    FinetuneSchedule(FinetuneOptions o, long total) {
        this.byIteration = o.iters > 0;
        int[] steps = byIteration ? scaled(o.steps, o.epochs, total) : o.steps;
        this.schedule = new WarmupStepSchedule(o.lr, o.warmupIters, o.warmupRatio, steps, 0.1);
    }

    static int[] scaled(int[] stepEpochs, int epochs, long iters) {
        return Arrays.stream(stepEpochs)
                .mapToLong(s -> Math.round((double) s / epochs * iters))
                .filter(s -> s > 0 && s < iters)
                .distinct()
                .mapToInt(s -> (int) s)
                .toArray();
    }

    double lr(long iteration, int epoch) {
        int it = (int) Math.min(iteration, Integer.MAX_VALUE);
        return schedule.lr(it, byIteration ? it : epoch);
    }
}
