package org.aligndet.trainer.loss;

import org.aligndet.bridge.torch.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named scalar loss terms in insertion order ({@code loss_contrast}, {@code loss_bbox}, …). Weights are
 * applied in one place, {@link #weighted}; {@link #total} sums the terms; {@link #values} is for logging.
 */
public final class LossTerms {
    private final Map<String, NDArray> terms = new LinkedHashMap<>();

    /** Adds (or replaces) a scalar term; returns this. */
    public LossTerms put(String name, NDArray value) {
        if (value.getShape().size() != 1) {
            throw new IllegalArgumentException("loss term " + name + " must be a scalar, got shape " + value.getShape());
        }
        terms.put(name, value);
        return this;
    }

    public NDArray get(String name) {
        NDArray v = terms.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no loss term " + name + "; have " + terms.keySet());
        }
        return v;
    }

    /** The terms, read-only, in insertion order. */
    public Map<String, NDArray> terms() {
        return Collections.unmodifiableMap(terms);
    }

    /**
     * New terms, each multiplied by its weight. Every name in {@code weights} must be a term (a typo is
     * an error); a term without a weight keeps weight 1.
     */
    public LossTerms weighted(Map<String, Double> weights) {
        for (String name : weights.keySet()) {
            if (!terms.containsKey(name)) {
                throw new IllegalArgumentException("weight for unknown loss term " + name + "; have " + terms.keySet());
            }
        }
        LossTerms out = new LossTerms();
        terms.forEach((name, v) -> {
            Double w = weights.get(name);
            out.put(name, w == null || w == 1.0 ? v : Scalars.mul(v, w.floatValue()));
        });
        return out;
    }

    /** The sum of all terms (a scalar with the terms' gradients); an error when there is none. */
    public NDArray total() {
        NDArray sum = null;
        for (NDArray v : terms.values()) {
            sum = sum == null ? v : sum.add(v);
        }
        if (sum == null) {
            throw new IllegalStateException("no loss terms");
        }
        return sum;
    }

    /** Each term's value (copied to the host), in insertion order, for logging. */
    public Map<String, Double> values() {
        Map<String, Double> out = new LinkedHashMap<>();
        terms.forEach((name, v) -> out.put(name, scalar(v)));
        return out;
    }

    private static double scalar(NDArray v) {
        switch (v.getDataType()) {
            case FLOAT32: return v.getFloat();
            case FLOAT64: return v.getDouble();
            default:
                try (NDArray d = v.toType(DataType.FLOAT64, true)) {
                    return d.getDouble();
                }
        }
    }

    public boolean isEmpty() {
        return terms.isEmpty();
    }
}
