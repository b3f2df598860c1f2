package org.aligndet.export.eval;

/**
 * One annotated object of a VOC image, in the XML's 1-based inclusive pixel frame
 * ({@code width = xmax - xmin + 1}).
 *
 * @param label     class index into the evaluator's class list
 * @param difficult VOC {@code difficult}: never a miss, and detections on it are ignored
 */
public record VocObject(double xmin, double ymin, double xmax, double ymax, int label, boolean difficult) {
}
