package org.aligndet.trainer.proposals;

import org.aligndet.trainer.data.Instance;

/**
 * One proposal of an image, continuous xyxy in the original pixel frame, rounded to
 * {@link #DECIMALS} decimals; {@code index} is its rank within the image after filtering (0 first).
 */
public record Proposal(int index, double x1, double y1, double x2, double y2) {
    public static final int DECIMALS = 2;

    public double width() {
        return x2 - x1;
    }

    public double height() {
        return y2 - y1;
    }

    /** As an {@link Instance}: label and category {@code -1}, id = {@code index}. */
    public Instance toInstance() {
        return new Instance((float) x1, (float) y1, (float) x2, (float) y2, -1, -1, index, false, false, false, width() * height());
    }

    static double round(double v) {
        double scale = Math.pow(10, DECIMALS);
        return Math.round(v * scale) / scale;
    }
}
