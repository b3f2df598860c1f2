package org.aligndet.trainer.spec;

import java.util.Locale;

/** Detector families of the paper; the dense two are implemented first. */
public enum Family {
    RETINANET, FCOS, FASTER_RCNN, MASK_RCNN, DETR;

    public static Family parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
