package org.aligndet.trainer.weights;

import java.util.List;
import java.util.Locale;

/**
 * Where a checkpoint comes from, as {@code --format} names it, and the name tables
 * ({@code keymaps/*.keymap}) that read it. {@link #AUTO} tries every table in {@link #DETECTION_ORDER}
 * and takes the first whose {@code detect} patterns match a key.
 */
public enum WeightFormat {
    AUTO(List.of()),
    MMDET(List.of("mmdet")),
    TORCHVISION(List.of("torchvision-fcos", "torchvision-retinanet", "torchvision-rcnn", "torchvision-resnet")),
    ALIGNDET(List.of("aligndet")),
    MOCO(List.of("moco"));

    /** Most specific first: AlignDet and MoCo wrap mmdetection/torchvision names, torchvision's backbone.body.* also starts with backbone. */
    static final List<String> DETECTION_ORDER = List.of("aligndet", "moco", "torchvision-fcos", "torchvision-rcnn",
            "torchvision-retinanet", "torchvision-resnet", "mmdet");

    private final List<String> tables;

    WeightFormat(List<String> tables) {
        this.tables = tables;
    }

    /** The tables of this format, tried in order ({@code auto}: all of them). */
    List<String> tables() {
        return this == AUTO ? DETECTION_ORDER : tables;
    }

    /** A {@code --format} value, case-insensitive. */
    public static WeightFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown checkpoint format '" + s + "' (auto, mmdet, torchvision, aligndet, moco)", e);
        }
    }

    /** The {@code --format} spelling. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format a table belongs to. */
    static WeightFormat ofTable(String table) {
        for (WeightFormat f : values()) {
            if (f != AUTO && f.tables.contains(table)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no format has the table " + table);
    }
}
