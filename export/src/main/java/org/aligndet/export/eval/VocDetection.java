package org.aligndet.export.eval;

/**
 * A detection in the VOC 1-based inclusive frame ({@code [x1, y1, x2, y2]}, as VOC XML; a model's
 * 0-based continuous box {@code [x, y, w, h]} maps to {@code x1 = x + 1, x2 = x + w}).
 *
 * @param imageId the VOC image id
 * @param label   class index into the evaluator's class list
 */
public record VocDetection(String imageId, int label, double score, double x1, double y1, double x2, double y2) {
}
