package org.aligndet.export.predict;

import java.nio.file.Path;
import java.util.List;
import org.aligndet.trainer.data.Dataset;

/**
 * An image to predict on.
 *
 * @param id   the id results files use (a COCO image id, or 1..n for plain folders)
 * @param key  its name in results and drawings (COCO {@code file_name}, VOC id, relative path)
 * @param file where the pixels are
 */
public record ImageRef(long id, String key, Path file) {
    /** Every image of a dataset, in its order, with the dataset's ids and keys. */
    public static List<ImageRef> all(Dataset dataset) {
        return dataset.images().stream().map(r -> new ImageRef(r.id(), r.key(), r.file())).toList();
    }
}
