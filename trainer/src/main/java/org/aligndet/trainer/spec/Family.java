package org.aligndet.trainer.spec;

import java.util.Locale;

/** Detector families of the paper; the dense two are implemented. */
public enum Family {
    RETINANET, FCOS, FASTER_RCNN, MASK_RCNN, DETR;

    public static Family parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the spec's head places anchors ({@code head.anchor}): RetinaNet and the two-stage RPNs. */
    public boolean anchorBased() {
        return this == RETINANET || this == FASTER_RCNN || this == MASK_RCNN;
    }

    /** Whether the spec's head places points ({@code head.strides}, FCOS). */
    public boolean pointBased() {
        return this == FCOS;
    }
}
