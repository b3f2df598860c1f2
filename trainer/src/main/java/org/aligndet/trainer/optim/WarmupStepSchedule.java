package org.aligndet.trainer.optim;

import java.util.Arrays;

/**
 * Learning rate with mmcv's linear warm-up over a step schedule (by epoch):
 * <pre>
 *   regular(epoch) = baseLr * gamma^(number of step epochs <= epoch)
 *   lr(it, epoch)  = regular(epoch) * (1 - (1 - it / warmupIters) * (1 - warmupRatio))   if it < warmupIters
 *                  = regular(epoch)                                                    otherwise
 * </pre>
 * {@code it} is the global iteration and {@code epoch} the epoch, both 0-based. Warm-up multiplies the
 * stepped rate, as mmcv's hook does.
 */
public final class WarmupStepSchedule {
    private final double baseLr;
    private final int warmupIters;
    private final double warmupRatio;
    private final int[] stepEpochs;
    private final double gamma;

    /**
     * @param baseLr      rate after warm-up and before the first step
     * @param warmupIters iterations of warm-up (0: none)
     * @param warmupRatio rate at iteration 0, as a fraction of the regular rate
     * @param stepEpochs  ascending epochs at which the rate is multiplied by {@code gamma}, e.g. 8, 11
     * @param gamma       factor per step, e.g. 0.1
     */
    public WarmupStepSchedule(double baseLr, int warmupIters, double warmupRatio, int[] stepEpochs, double gamma) {
        if (warmupIters < 0) {
            throw new IllegalArgumentException("warmupIters must be >= 0, got " + warmupIters);
        }
        for (int i = 1; i < stepEpochs.length; i++) {
            if (stepEpochs[i] <= stepEpochs[i - 1]) {
                throw new IllegalArgumentException("step epochs must ascend: " + Arrays.toString(stepEpochs));
            }
        }
        this.baseLr = baseLr;
        this.warmupIters = warmupIters;
        this.warmupRatio = warmupRatio;
        this.stepEpochs = stepEpochs.clone();
        this.gamma = gamma;
    }

    /** The rate for global iteration {@code iteration} in epoch {@code epoch} (both 0-based). */
    public double lr(int iteration, int epoch) {
        int passed = 0;
        while (passed < stepEpochs.length && epoch >= stepEpochs[passed]) {
            passed++;
        }
        double regular = baseLr * Math.pow(gamma, passed);
        if (iteration >= warmupIters) {
            return regular;
        }
        double k = (1 - (double) iteration / warmupIters) * (1 - warmupRatio);
        return regular * (1 - k);
    }
}
