package org.aligndet.bridge.onnx;

import java.util.List;
import java.util.Map;

/**
 * What {@link OnnxModel#fillInitializers(Map)} did. Nothing here is an error by itself; the caller
 * decides (e.g. {@code if (!r.isComplete()) throw ...}).
 *
 * @param filled     initializer names that were overwritten from the map
 * @param missing    initializer names in the model with no entry in the map (left unchanged)
 * @param unused     map keys that named no initializer
 * @param mismatched initializer name to a description such as
 *                   {@code model float32[4, 3, 3, 3], given float32[4, 3]} for entries whose dtype or
 *                   shape differed (left unchanged)
 */
public record FillReport(List<String> filled, List<String> missing, List<String> unused,
                         Map<String, String> mismatched) {

    public FillReport {
        filled = List.copyOf(filled);
        missing = List.copyOf(missing);
        unused = List.copyOf(unused);
        mismatched = Map.copyOf(mismatched);
    }

    /** True when every initializer was filled and every map entry was used. */
    public boolean isComplete() {
        return missing.isEmpty() && unused.isEmpty() && mismatched.isEmpty();
    }

    /** A one-paragraph summary for error messages and logs. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(filled.size()).append(" filled");
        if (!missing.isEmpty()) {
            sb.append("; missing from the map: ").append(missing);
        }
        if (!unused.isEmpty()) {
            sb.append("; not in the model: ").append(unused);
        }
        if (!mismatched.isEmpty()) {
            sb.append("; dtype/shape mismatch: ").append(new java.util.TreeMap<>(mismatched));
        }
        return sb.toString();
    }
}
