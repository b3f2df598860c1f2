package org.aligndet.trainer.infer;

/**
 * The detections of one image, sorted by score, highest first: the project's one detection record,
 * used by both runtimes' inference ({@link TorchPredictor}, the export module's ONNX Runtime
 * predictor), drawings, results files, evaluation input and the cross-runtime check.
 *
 * <p>The frame of {@code boxes} is the producer's: {@link DensePostprocess} gives network-input
 * pixels (the padded batch), the predictors original-image pixels. Arrays are owned by the
 * record and must not be changed; equality is by reference, as for any record of arrays.
 * Conversions to the evaluators' float64 forms (COCO results, VOC's 1-based frame) live with the
 * evaluators in the export module.
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
}
