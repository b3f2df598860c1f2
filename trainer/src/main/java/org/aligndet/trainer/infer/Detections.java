package org.aligndet.trainer.infer;

import java.util.ArrayList;
import java.util.List;

/**
 * The detections of one image, sorted by score, highest first.
 *
 * <p>The frame of {@code boxes} is the producer's: {@link DensePostprocess} gives network-input
 * pixels (the padded batch), {@link TorchPredictor} original-image pixels. Arrays are owned by the
 * record and must not be changed; equality is by reference, as for any record of arrays.
 *
 * @param key     the image's key (file name), {@code ""} when unknown
 * @param imageId the dataset's image id, {@link #NO_ID} when unknown
 * @param boxes   {@code float[n*4]} xyxy, continuous pixels
 * @param scores  {@code float[n]}, in {@code (0, 1]}, non-increasing
 * @param labels  {@code int[n]}, class indices {@code 0 <= label < K}
 */
public record Detections(String key, long imageId, float[] boxes, float[] scores, int[] labels) {
    public static final long NO_ID = -1;

    public Detections {
        if (boxes.length != 4 * scores.length || labels.length != scores.length) {
            throw new IllegalArgumentException("detections of " + key + ": " + boxes.length + " box floats, "
                    + scores.length + " scores, " + labels.length + " labels");
        }
    }

    public static Detections empty(String key, long imageId) {
        return new Detections(key, imageId, new float[0], new float[0], new int[0]);
    }

    public int size() {
        return scores.length;
    }

    /** Box {@code i} as {@code {x1, y1, x2, y2}}. */
    public float[] box(int i) {
        return new float[] {boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]};
    }

    public Detections withImage(String newKey, long newImageId) {
        return new Detections(newKey, newImageId, boxes, scores, labels);
    }

    /**
     * COCO results entries, one per detection in this order: {@code bbox = [x1, y1, x2 - x1, y2 - y1]}.
     *
     * @param categoryOfLabel {@code category_id} of each class index, e.g. the dataset's sorted category ids
     * @throws IllegalStateException when the image id is unknown or a label has no category
     */
    public List<CocoResult> toCoco(long[] categoryOfLabel) {
        if (imageId == NO_ID && size() > 0) {
            throw new IllegalStateException("detections of '" + key + "' carry no image id; set one with withImage");
        }
        List<CocoResult> out = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            int label = labels[i];
            if (label < 0 || label >= categoryOfLabel.length) {
                throw new IllegalStateException("detection " + i + " of '" + key + "' has label " + label
                        + ", which has no category id (" + categoryOfLabel.length + " known)");
            }
            float x1 = boxes[4 * i], y1 = boxes[4 * i + 1];
            out.add(new CocoResult(imageId, categoryOfLabel[label],
                    new double[] {x1, y1, (double) boxes[4 * i + 2] - x1, (double) boxes[4 * i + 3] - y1}, scores[i]));
        }
        return out;
    }
}
