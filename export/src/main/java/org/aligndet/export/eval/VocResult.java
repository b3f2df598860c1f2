package org.aligndet.export.eval;

import java.util.List;

/**
 * VOC evaluation result: per-class AP in class order, and the mean AP as the chosen reference
 * defines it (mmdetection: over classes with objects; detectron2: over all classes).
 */
public record VocResult(VocEvaluator.Semantics semantics, VocEvaluator.Metric metric, double iouThreshold,
                        List<VocClassAp> perClass, double mAP) {
    public VocResult {
        perClass = List.copyOf(perClass);
    }
}
