package org.aligndet.trainer.optim;

/**
 * The momentum detector's EMA coefficient, rising from {@code base} to 1 on a half cosine (BYOL, AlignDet):
 * {@code m(k) = 1 - (1 - base) * (cos(pi * k / K) + 1) / 2} for iteration {@code k} of {@code K}.
 */
public final class MomentumSchedule {
    private final double base;
    private final long totalIters;

    /** @param base m at k = 0 (AlignDet: 0.996); @param totalIters K, {@code > 0} */
    public MomentumSchedule(double base, long totalIters) {
        if (totalIters <= 0) {
            throw new IllegalArgumentException("totalIters must be positive, got " + totalIters);
        }
        this.base = base;
        this.totalIters = totalIters;
    }

    public double at(long k) {
        return 1 - (1 - base) * (Math.cos(Math.PI * k / totalIters) + 1) / 2;
    }
}
