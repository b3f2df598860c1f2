package org.aligndet.trainer.pretrain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * The layout of a pre-training checkpoint (torch zip format, readable by {@code torch.load}):
 *
 * <pre>
 * {'state_dict': OrderedDict  online detector, mmdetection names (backbone included),
 *  'meta': {...}             spec, stage 'pretrain', iteration, epoch, batch_in_epoch, recipe, seed,
 *  'projector': OrderedDict   the online projector (dropped at fine-tuning),
 *  'momentum': {'state_dict': ..., 'projector': ...},
 *  'optimizer': {'type': 'SGD', 'momentum_buffer': OrderedDict},
 *  'rng': {'seed', 'epoch', 'batch_in_epoch'},
 *  'data_order': int64 tensor, this epoch's image order}
 * </pre>
 */
public record PretrainCheckpoint(Map<String, HostTensor> stateDict, Map<String, Object> meta, Map<String, HostTensor> projector,
                                 Map<String, HostTensor> momentumStateDict, Map<String, HostTensor> momentumProjector,
                                 Map<String, HostTensor> optimizer, int[] dataOrder) {

    public Map<String, Object> toRoot() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", stateDict);
        root.put("meta", meta);
        root.put("projector", projector);
        Map<String, Object> momentum = new LinkedHashMap<>();
        momentum.put("state_dict", momentumStateDict);
        momentum.put("projector", momentumProjector);
        root.put("momentum", momentum);
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
        return root;
    }

    /** Reads the parts back from a checkpoint's root object; errors name the missing key. */
    @SuppressWarnings("unchecked")
    public static PretrainCheckpoint fromRoot(Object root, String file) {
        if (!(root instanceof Map)) {
            throw new IllegalArgumentException(file + ": not a pre-training checkpoint (top level is not a dict)");
        }
        Map<String, Object> r = (Map<String, Object>) root;
        for (String k : List.of("state_dict", "meta", "projector", "momentum", "optimizer", "data_order")) {
            if (!r.containsKey(k)) {
                throw new IllegalArgumentException(file + ": not a resumable pre-training checkpoint (no '" + k + "')");
            }
        }
        Map<String, Object> momentum = (Map<String, Object>) r.get("momentum");
        Map<String, Object> opt = (Map<String, Object>) r.get("optimizer");
        long[] order = ((HostTensor) r.get("data_order")).toLongs();
        int[] o = new int[order.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = (int) order[i];
        }
        return new PretrainCheckpoint(tensors(r.get("state_dict")), (Map<String, Object>) r.get("meta"), tensors(r.get("projector")),
                tensors(momentum.get("state_dict")), tensors(momentum.get("projector")), tensors(opt.get("momentum_buffer")), o);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, HostTensor> tensors(Object o) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        ((Map<Object, Object>) o).forEach((k, v) -> out.put(String.valueOf(k), (HostTensor) v));
        return out;
    }
}
