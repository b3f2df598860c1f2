package org.aligndet.trainer.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * Maps the names of a foreign state_dict onto this project's (mmdetection's) names.
 *
 * <p>Recognised layouts, by their keys:
 * <ul>
 *   <li>mmdetection / this project: {@code backbone.*}, {@code neck.*}, {@code bbox_head.*}: kept;
 *   <li>torchvision ResNet ({@code conv1.weight}, {@code bn1.*}, {@code layer1.0.conv1.weight}, ...):
 *       prefixed with {@code backbone.}; the classifier {@code fc.*} is dropped;
 *   <li>wrapped checkpoints ({@code module.}, {@code encoder_q.}, {@code encoder.}, {@code model.}
 *       prefixes, as DataParallel, MoCo and SwAV write them): the wrapper prefix is stripped first;
 *       MoCo's key encoder and queue ({@code encoder_k.*}, {@code queue*}) are dropped.
 * </ul>
 * {@code num_batches_tracked} is always dropped: the graphs keep frozen statistics and do not count.
 */
public final class WeightImport {
    private static final String[] WRAPPERS = {"module.", "encoder_q.", "encoder.", "model."};
    private static final String[] TORCHVISION_ROOTS = {"conv1.", "bn1.", "layer1.", "layer2.", "layer3.", "layer4.", "fc."};

    private WeightImport() {
    }

    /** The mapped tensors plus the source names that were dropped and why. */
    public record Mapped(Map<String, HostTensor> tensors, List<String> dropped) {
    }

    public static Mapped toGraphNames(Map<String, HostTensor> source) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        for (var e : source.entrySet()) {
            String name = e.getKey();
            if (name.startsWith("encoder_k.") || name.startsWith("module.encoder_k.") || name.contains("queue")) {
                dropped.add(name + " (momentum encoder / queue)");
                continue;
            }
            for (boolean again = true; again; ) {
                again = false;
                for (String w : WRAPPERS) {
                    if (name.startsWith(w)) {
                        name = name.substring(w.length());
                        again = true;
                    }
                }
            }
            if (name.endsWith("num_batches_tracked")) {
                dropped.add(e.getKey() + " (batch counter)");
                continue;
            }
            if (isTorchvisionRoot(name)) {
                if (name.startsWith("fc.")) {
                    dropped.add(e.getKey() + " (image classifier)");
                    continue;
                }
                name = "backbone." + name;
            }
            out.put(name, e.getValue());
        }
        return new Mapped(out, dropped);
    }

    private static boolean isTorchvisionRoot(String name) {
        for (String r : TORCHVISION_ROOTS) {
            if (name.startsWith(r)) {
                return true;
            }
        }
        return false;
    }

    /** Only the entries under a prefix (e.g. {@code backbone.}). */
    public static Map<String, HostTensor> under(Map<String, HostTensor> tensors, String prefix) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
