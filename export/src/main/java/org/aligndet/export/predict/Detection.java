package org.aligndet.export.predict;

/**
 * One detected object in the original image's pixel frame: continuous 0-based coordinates,
 * {@code 0 <= x1 <= x2 <= width}, {@code 0 <= y1 <= y2 <= height} (clipped).
 *
 * @param score in (0, 1]
 * @param label index into the model's class list, {@code 0 <= label < K}
 */
public record Detection(float x1, float y1, float x2, float y2, float score, int label) {
}
