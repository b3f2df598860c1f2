package org.aligndet.export.predict;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.data.ImageFolderReader;

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

    /**
     * One image file, or every image under a folder sorted by relative path ({@link ImageFolderReader}):
     * ids 1..n, keys the relative paths with {@code /} separators (the file name for a single file).
     */
    public static List<ImageRef> folder(Path images) {
        if (Files.isRegularFile(images)) {
            return List.of(new ImageRef(1, images.getFileName().toString(), images));
        }
        List<ImageRef> refs = new ArrayList<>();
        for (Path f : ImageFolderReader.imageFiles(images)) {
            refs.add(new ImageRef(refs.size() + 1, images.relativize(f).toString().replace('\\', '/'), f));
        }
        return refs;
    }
}
