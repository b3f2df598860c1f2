package org.aligndet.trainer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.aligndet.trainer.mask.Segmentation;

/**
 * One image and its objects, the in-memory record shared by the COCO, VOC and image-folder readers
 * and by proposal files.
 *
 * @param id            COCO image id, or a stable index for VOC/folders
 * @param key           the dataset's own name for it (COCO {@code file_name}, VOC image id, relative path)
 * @param file          where the pixels are
 * @param width         original width in pixels ({@code 0} when unknown until the image is read)
 * @param height        original height in pixels ({@code 0} when unknown)
 * @param instances     objects in the original pixel frame; empty for unlabeled images
 * @param segmentations each instance's COCO {@code segmentation} (original pixel frame), index for
 *                      index with {@code instances}, an entry null where that instance has none; or
 *                      empty when masks were not read (the default: only
 *                      {@link CocoReader#loadWithMasks} fills it)
 */
public record ImageRecord(long id, String key, Path file, int width, int height, List<Instance> instances,
                          List<Segmentation> segmentations) {
    public ImageRecord {
        instances = List.copyOf(instances);
        if (segmentations == null || segmentations.isEmpty()) {
            segmentations = List.of();
        } else {
            if (segmentations.size() != instances.size()) {
                throw new IllegalArgumentException("image " + id + ": " + segmentations.size() + " segmentations for "
                        + instances.size() + " instances (they go index for index)");
            }
            segmentations = Collections.unmodifiableList(new ArrayList<>(segmentations)); // may hold nulls
        }
    }

    /** A record without masks. */
    public ImageRecord(long id, String key, Path file, int width, int height, List<Instance> instances) {
        this(id, key, file, width, height, instances, List.of());
    }

    /** Whether segmentations were read for this image's instances (see {@link #segmentations}). */
    public boolean hasSegmentations() {
        return !segmentations.isEmpty() || instances.isEmpty();
    }

    /**
     * The same image with other instances. The segmentations no longer match them, so the result
     * has none; use {@link #withInstances(List, List)} to keep masks.
     */
    public ImageRecord withInstances(List<Instance> replacement) {
        return new ImageRecord(id, key, file, width, height, replacement);
    }

    /** The same image with other instances and their segmentations (index for index, or empty). */
    public ImageRecord withInstances(List<Instance> replacement, List<Segmentation> replacementSegmentations) {
        return new ImageRecord(id, key, file, width, height, replacement, replacementSegmentations);
    }
}
