package org.aligndet.export.eval;

import java.util.Locale;

/**
 * What a COCO evaluation overlaps: boxes ({@code "bbox"}, the default) or instance masks
 * ({@code "segm"}), pycocotools' {@code iouType}. Everything else (matching, crowd regions as
 * ignore regions, area ranges from the ground truth's {@code area} field, accumulation) is the same.
 */
public enum IouType {
    BBOX, SEGM;

    /** pycocotools' name: {@code "bbox"} or {@code "segm"}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The type named {@code text} ({@code bbox} or {@code segm}, any case).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static IouType parse(String text) {
        for (IouType t : values()) {
            if (t.label().equalsIgnoreCase(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown iou type '" + text + "'; use bbox or segm");
    }
}
