package org.aligndet.export.predict;

import java.nio.file.Path;

/**
 * An image to predict on.
 *
 * @param id   the id results files use (a COCO image id, or 1..n for plain folders)
 * @param key  its name in results and drawings (COCO {@code file_name}, VOC id, relative path)
 * @param file where the pixels are
 */
public record ImageRef(long id, String key, Path file) {
}
