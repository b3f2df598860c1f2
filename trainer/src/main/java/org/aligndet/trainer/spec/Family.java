package org.aligndet.trainer.spec;

import java.util.Locale;

/** Detector families of the paper; all but DETR are implemented. */
public enum Family {
    RETINANET, FCOS, FASTER_RCNN, MASK_RCNN, DETR;

    public static Family parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the spec's head places anchors ({@code head.anchor}; the two-stage RPNs' {@code rpn_head.anchor}). */
    public boolean anchorBased() {
        return this == RETINANET || this == FASTER_RCNN || this == MASK_RCNN;
    }

    /** Whether the detector has an RPN and a RoI head (Faster R-CNN, Mask R-CNN: {@code rpn_head}, {@code roi_head}). */
    public boolean twoStage() {
        return this == FASTER_RCNN || this == MASK_RCNN;
    }

    /** Whether the spec's head places points ({@code head.strides}, FCOS). */
    public boolean pointBased() {
        return this == FCOS;
    }
}
