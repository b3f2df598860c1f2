package org.aligndet.trainer.pretrain;

import org.aligndet.trainer.run.ResumeParts;
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
        ResumeParts.put(root, meta, optimizer, dataOrder);
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
        return new PretrainCheckpoint(tensors(r.get("state_dict")), (Map<String, Object>) r.get("meta"), tensors(r.get("projector")),
                tensors(momentum.get("state_dict")), tensors(momentum.get("projector")), ResumeParts.optimizer(r), ResumeParts.dataOrder(r));
    }

    private static Map<String, HostTensor> tensors(Object o) {
        return ResumeParts.tensors(o);
    }
}
