package org.aligndet.bridge.inspect;

import java.util.List;
import java.util.Map;

/**
 * What {@link Inspector} found in a file: its kind, every tensor (name, dtype, shape) in file order,
 * and kind-specific facts (methods, inputs, outputs, metadata, non-tensor values) as strings.
 */
public record Inspection(String file, FileKind kind, List<Entry> tensors, Map<String, List<String>> facts) {
    public Inspection {
        tensors = List.copyOf(tensors);
        facts = Map.copyOf(facts);
    }

    /** One tensor: its name (a dotted path for nested checkpoints), dtype name, and shape. */
    public record Entry(String name, String dtype, long[] shape) {
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    public long totalElements() {
        return tensors.stream().mapToLong(Entry::numel).sum();
    }
}
