package org.aligndet.export.eval;

/**
 * One class's VOC result.
 *
 * @param ap        average precision (11-point or area, per the evaluator's metric)
 * @param numGts    non-difficult objects of the class
 * @param numDets   detections of the class
 * @param recall    recall after each detection in score order
 * @param precision precision after each detection in score order (before the envelope)
 */
public record VocClassAp(String name, double ap, int numGts, int numDets, double[] recall, double[] precision) {
}
