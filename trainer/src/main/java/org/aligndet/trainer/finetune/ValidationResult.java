package org.aligndet.trainer.finetune;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named validation metrics (mmdetection's names: {@code bbox_mAP}, {@code bbox_mAP_50}, ...), one
 * of which is the primary metric that picks the best checkpoint (higher is better).
 */
public record ValidationResult(String primary, Map<String, Double> metrics) {
    /** mmdetection's COCO bbox AP@[.50:.95]. */
    public static final String BBOX_MAP = "bbox_mAP";
    public static final String BBOX_MAP_50 = "bbox_mAP_50";

    public ValidationResult {
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        if (!metrics.containsKey(primary)) {
            throw new IllegalArgumentException("primary metric '" + primary + "' is not among " + metrics.keySet());
        }
    }

    public double primaryValue() {
        return metrics.get(primary);
    }
}
