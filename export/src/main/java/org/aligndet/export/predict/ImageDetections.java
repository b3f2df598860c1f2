package org.aligndet.export.predict;

import java.util.List;

/**
 * The detections of one image, highest score first (the model's order).
 *
 * @param imageId the id results files use for this image
 * @param key     the image's name (file name or dataset key)
 * @param width   original width in pixels
 * @param height  original height in pixels
 */
public record ImageDetections(long imageId, String key, int width, int height, List<Detection> detections) {
    public ImageDetections {
        detections = List.copyOf(detections);
    }
}
