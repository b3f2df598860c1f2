package org.aligndet.trainer.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A VOC image: its id ({@code "000001"}), where its pixels are, its size and its objects in XML
 * order (every {@code <object>} of the annotation, classes outside the list included).
 *
 * @param file   {@code JPEGImages/<filename>} ({@code <id>.jpg} when the XML names none); null when built by hand
 * @param width  from the XML's {@code <size>}, 0 when absent
 * @param height from the XML's {@code <size>}, 0 when absent
 */
public record VocImage(String id, Path file, int width, int height, List<VocObject> objects) {
    public VocImage {
        objects = List.copyOf(objects);
    }

    /** Ground truth built by hand (an evaluator's input): no file, size unknown. */
    public VocImage(String id, List<VocObject> objects) {
        this(id, null, 0, 0, objects);
    }
}
