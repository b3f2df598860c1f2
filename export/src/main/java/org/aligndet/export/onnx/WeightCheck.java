package org.aligndet.export.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * Matches a checkpoint's state dict against a graph's parameters (name to shape) before anything
 * is written: every parameter must be present with the same shape, and every checkpoint tensor must
 * be a parameter, except the tolerated extras.
 *
 * <p>Tolerated extras, left out of the export without comment: names ending in
 * {@code num_batches_tracked} (BatchNorm step counters; the graphs keep frozen statistics and do
 * not count); names starting with {@code projector.} or containing {@code .projector.} (AlignDet's
 * contrastive projector, which fine-tuning drops); names starting with {@code ema_} (mmdetection's
 * EMA hook copies). Anything else left over is an error: it usually means the checkpoint belongs to
 * another spec.
 *
 * <p>Floating-point tensors of another width (float16, bfloat16, float64) are converted to the
 * parameter's float32; other dtype differences are errors.
 */
public final class WeightCheck {
    private WeightCheck() {
    }

    /** Whether a checkpoint entry that is not a parameter is silently left out. */
    public static boolean tolerated(String name) {
        return name.endsWith("num_batches_tracked") || name.startsWith("projector.") || name.contains(".projector.")
                || name.startsWith("ema_");
    }

    /** A parameter as the graph declares it. */
    public record Param(DType dtype, long[] shape) {
    }

    /**
     * The tensors to load, one per parameter in the parameters' order.
     *
     * @param source names the checkpoint in the error
     * @throws ExportException listing every missing parameter, unexpected tensor and shape mismatch
     */
    public static Map<String, HostTensor> select(Map<String, HostTensor> stateDict, Map<String, Param> params, String source) {
        List<String> missing = new ArrayList<>();
        Map<String, String> mismatched = new TreeMap<>();
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Param> e : params.entrySet()) {
            HostTensor t = stateDict.get(e.getKey());
            Param want = e.getValue();
            if (t == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(t.shape(), want.shape()) || !convertible(t.dtype(), want.dtype())) {
                mismatched.put(e.getKey(), "checkpoint " + t.dtype().shortName() + Arrays.toString(t.shape())
                        + ", graph " + want.dtype().shortName() + Arrays.toString(want.shape()));
            } else {
                out.put(e.getKey(), t.dtype() == want.dtype() ? t : HostTensor.ofFloats(t.shape(), t.toFloats()));
            }
        }
        List<String> unexpected = stateDict.keySet().stream().filter(k -> !params.containsKey(k) && !tolerated(k)).sorted().toList();
        if (!missing.isEmpty() || !mismatched.isEmpty() || !unexpected.isEmpty()) {
            StringBuilder sb = new StringBuilder(source + ": the checkpoint does not fit the graph ("
                    + out.size() + " of " + params.size() + " parameters fit)");
            list(sb, "missing from the checkpoint", missing);
            list(sb, "shape or dtype differs", mismatched.entrySet().stream().map(x -> x.getKey() + ": " + x.getValue()).toList());
            list(sb, "in the checkpoint but not in the graph", unexpected);
            throw new ExportException(sb.toString());
        }
        return out;
    }

    private static boolean convertible(DType have, DType want) {
        return have == want || (want == DType.FLOAT32 && have.isFloating());
    }

    private static void list(StringBuilder sb, String what, List<String> names) {
        if (!names.isEmpty()) {
            sb.append("\n  ").append(what).append(" (").append(names.size()).append("):");
            names.forEach(n -> sb.append("\n    ").append(n));
        }
    }
}
