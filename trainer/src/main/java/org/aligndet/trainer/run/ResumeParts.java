package org.aligndet.trainer.run;

import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * The parts every resumable training checkpoint shares, in one layout:
 * {@code 'optimizer': {'type': 'SGD', 'momentum_buffer': OrderedDict}},
 * {@code 'rng': {'seed', 'epoch', 'batch_in_epoch'}} (copied from meta) and
 * {@code 'data_order'} (int64 tensor, the epoch's image order).
 */
public final class ResumeParts {
    private ResumeParts() {
    }

    /** Adds the optimizer, rng and data-order entries to a checkpoint root. */
    public static void put(Map<String, Object> root, Map<String, Object> meta, Map<String, HostTensor> optimizer, int[] dataOrder) {
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("type", "SGD");
        opt.put("momentum_buffer", optimizer);
        root.put("optimizer", opt);
        Map<String, Object> rng = new LinkedHashMap<>();
        rng.put("seed", meta.get("seed"));
        rng.put("epoch", meta.get("epoch"));
        rng.put("batch_in_epoch", meta.get("batch_in_epoch"));
        root.put("rng", rng);
        long[] order = new long[dataOrder.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = dataOrder[i];
        }
        root.put("data_order", HostTensor.ofLongs(new long[] {order.length}, order));
    }

    /** The SGD momentum buffers of a root written by {@link #put}. */
    @SuppressWarnings("unchecked")
    public static Map<String, HostTensor> optimizer(Map<String, Object> root) {
        return tensors(((Map<String, Object>) root.get("optimizer")).get("momentum_buffer"));
    }

    /** The data order of a root written by {@link #put}. */
    public static int[] dataOrder(Map<String, Object> root) {
        long[] order = ((HostTensor) root.get("data_order")).toLongs();
        int[] o = new int[order.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = (int) order[i];
        }
        return o;
    }

    /** A pickled name → tensor mapping as a String-keyed map. */
    @SuppressWarnings("unchecked")
    public static Map<String, HostTensor> tensors(Object o) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        ((Map<Object, Object>) o).forEach((k, v) -> out.put(String.valueOf(k), (HostTensor) v));
        return out;
    }
}
