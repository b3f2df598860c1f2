package org.aligndet.trainer.run;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.LoadReport;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.TorchGraph;

/** Reading a task's parts back from a checkpoint root, with errors that name the file and the part. */
public final class CheckpointParts {
    private CheckpointParts() {
    }

    /** The checkpoint was written for {@code spec}. */
    @SuppressWarnings("unchecked")
    public static void requireSpec(Map<String, Object> root, String spec, Path file) {
        Object written = ((Map<String, Object>) map(root, "meta", file)).get("spec");
        if (!spec.equals(written)) {
            throw new IllegalArgumentException(file + ": written for spec " + written + ", not " + spec);
        }
    }

    /** The dict at {@code key}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Map<String, Object> root, String key, Path file) {
        if (!(root.get(key) instanceof Map)) {
            throw new IllegalArgumentException(file + ": no '" + key + "' dict in the checkpoint");
        }
        return (Map<String, Object>) root.get(key);
    }

    /** Loads a state dict that must fit the graph exactly. */
    public static void loadComplete(TorchGraph graph, Object stateDict, Path file, String part) {
        if (!(stateDict instanceof Map)) {
            throw new IllegalArgumentException(file + ": no '" + part + "' in the checkpoint");
        }
        LoadReport r = graph.load(ResumeParts.tensors(stateDict));
        if (!r.complete()) {
            throw new IllegalArgumentException(file + ": " + part + " does not match the graph: " + r + " missing "
                    + head(r.missing()) + " unexpected " + head(r.unexpected()) + " mismatched " + head(r.mismatched()));
        }
    }

    /** Copies every named tensor of {@code part} into {@code target}; a missing name is an error. */
    public static void copyInto(Map<String, NDArray> target, Object part, Path file, String what) {
        if (!(part instanceof Map)) {
            throw new IllegalArgumentException(file + ": no '" + what + "' in the checkpoint");
        }
        Map<String, HostTensor> state = ResumeParts.tensors(part);
        target.forEach((k, v) -> {
            HostTensor t = state.get(k);
            if (t == null) {
                throw new IllegalArgumentException(file + ": " + what + " lacks " + k);
            }
            NdTensors.copyInto(v, t);
        });
    }

    /** At most eight names, then a count. */
    public static String head(java.util.List<String> names) {
        return names.size() <= 8 ? names.toString() : names.subList(0, 8) + " and " + (names.size() - 8) + " more";
    }
}
