package org.aligndet.trainer.data;

import java.util.List;

/**
 * Images with their objects, plus the class list: {@code classes.get(label)} names label
 * {@code label}; {@code categoryIds.get(label)} is the source's id for it (COCO category id).
 */
public record Dataset(String source, List<String> classes, List<Integer> categoryIds, List<ImageRecord> images) {
    public Dataset {
        classes = List.copyOf(classes);
        categoryIds = List.copyOf(categoryIds);
        images = List.copyOf(images);
        if (classes.size() != categoryIds.size()) {
            throw new IllegalArgumentException(source + ": " + classes.size() + " class names but " + categoryIds.size() + " category ids");
        }
    }
}
