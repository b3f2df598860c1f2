package org.aligndet.export.eval;

/** One class's precision/recall curve for plotting: points {@code (recall[i], precision[i])}. */
public record PrCurve(String name, double[] recall, double[] precision) {
    public PrCurve {
        if (recall.length != precision.length) {
            throw new IllegalArgumentException(name + ": " + recall.length + " recall values but " + precision.length + " precision values");
        }
    }
}
