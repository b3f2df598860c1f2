package org.aligndet.trainer.data;

import java.nio.file.Path;
import java.util.List;

/**
 * One image and its objects, the in-memory record shared by the COCO, VOC and image-folder readers
 * and by proposal files.
 *
 * @param id        COCO image id, or a stable index for VOC/folders
 * @param key       the dataset's own name for it (COCO {@code file_name}, VOC image id, relative path)
 * @param file      where the pixels are
 * @param width     original width in pixels ({@code 0} when unknown until the image is read)
 * @param height    original height in pixels ({@code 0} when unknown)
 * @param instances objects in the original pixel frame; empty for unlabeled images
 */
public record ImageRecord(long id, String key, Path file, int width, int height, List<Instance> instances) {
    public ImageRecord {
        instances = List.copyOf(instances);
    }

    public ImageRecord withInstances(List<Instance> replacement) {
        return new ImageRecord(id, key, file, width, height, replacement);
    }
}
