package org.aligndet.trainer.finetune;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named validation metrics (mmdetection's names: {@code bbox_mAP}, {@code bbox_mAP_50}, ...), one
 * of which is the primary metric that picks the best checkpoint (higher is better), and the
 * validation images that could not be read (each "file: reason"; scored as images without detections).
 */
public record ValidationResult(String primary, Map<String, Double> metrics, List<String> skipped) {
    /** mmdetection's COCO bbox AP@[.50:.95]. */
    public static final String BBOX_MAP = "bbox_mAP";
    public static final String BBOX_MAP_50 = "bbox_mAP_50";

    /** Metrics of a validation that read every image. */
    public ValidationResult(String primary, Map<String, Double> metrics) {
        this(primary, metrics, List.of());
    }

    public ValidationResult {
        skipped = List.copyOf(skipped);
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        if (!metrics.containsKey(primary)) {
            throw new IllegalArgumentException("primary metric '" + primary + "' is not among " + metrics.keySet());
        }
    }

    public double primaryValue() {
        return metrics.get(primary);
    }
}
