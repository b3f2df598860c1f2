package org.aligndet.trainer.finetune;

import org.aligndet.trainer.run.ResumeParts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * The layout of a fine-tuning checkpoint (torch zip format), the pre-training layout's root without
 * the projector and momentum detector:
 *
 * <pre>
 * {'state_dict': OrderedDict  the detector, mmdetection names (what export reads),
 *  'meta': {...}             spec, stage 'finetune', classes (names, label order), recipe
 *                            ('aligndet' | 'baseline'), iter, epoch, batch_in_epoch, aligndet_pretrained,
 *                            init (path), best_bbox_mAP, seed, fraction, fold, ...,
 *  'optimizer': {'type': 'SGD', 'momentum_buffer': OrderedDict},
 *  'rng': {'seed', 'epoch', 'batch_in_epoch'},
 *  'data_order': int64 tensor, this epoch's image order}
 * </pre>
 * {@code best.pth} and {@code last.pth} hold {@code state_dict} and {@code meta} only.
 */
public record FinetuneCheckpoint(Map<String, HostTensor> stateDict, Map<String, Object> meta,
                                 Map<String, HostTensor> optimizer, int[] dataOrder) {

    /** The full, resumable root. */
    public Map<String, Object> toRoot() {
        Map<String, Object> root = slimRoot(stateDict, meta);
        ResumeParts.put(root, meta, optimizer, dataOrder);
        return root;
    }

    /** The model alone: {@code state_dict} and {@code meta}. */
    public static Map<String, Object> slimRoot(Map<String, HostTensor> stateDict, Map<String, Object> meta) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", stateDict);
        root.put("meta", meta);
        return root;
    }

    /** Reads the parts back from a checkpoint's root object; errors name the file and the missing key. */
    @SuppressWarnings("unchecked")
    public static FinetuneCheckpoint fromRoot(Object root, String file) {
        if (!(root instanceof Map)) {
            throw new IllegalArgumentException(file + ": not a fine-tuning checkpoint (top level is not a dict)");
        }
        Map<String, Object> r = (Map<String, Object>) root;
        for (String k : List.of("state_dict", "meta", "optimizer", "data_order")) {
            if (!r.containsKey(k)) {
                throw new IllegalArgumentException(file + ": not a resumable fine-tuning checkpoint (no '" + k + "')");
            }
        }
        Map<String, Object> meta = (Map<String, Object>) r.get("meta");
        if (!"finetune".equals(meta.get("stage"))) {
            throw new IllegalArgumentException(file + ": stage '" + meta.get("stage") + "', not a fine-tuning checkpoint");
        }
        return new FinetuneCheckpoint(ResumeParts.tensors(r.get("state_dict")), meta, ResumeParts.optimizer(r), ResumeParts.dataOrder(r));
    }
}
