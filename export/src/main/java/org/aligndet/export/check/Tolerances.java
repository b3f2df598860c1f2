package org.aligndet.export.check;

/**
 * What the cross-runtime check accepts. Beyond any bound the check fails.
 *
 * <ul>
 *   <li>{@code maxAbs}: the largest {@code |a - b|} over every element of every raw head output
 *       ({@code cls_score_L}, {@code bbox_pred_L}, {@code centerness_L}) of every image. Default
 *       {@value #DEFAULT_MAX_ABS}: float32 kernels of two runtimes differ by about 1e-5 on these
 *       logits; a changed weight moves them by far more.</li>
 *   <li>{@code maxRel}: the largest {@code |a - b| / max(|a|, |b|, relFloor)}; default
 *       {@code +Infinity} (reported, not bounded: near-zero outputs make it noisy).</li>
 *   <li>{@code relFloor}: the denominator's floor in {@code maxRel}, default {@value #DEFAULT_REL_FLOOR}, so
 *       that elements near zero compare absolutely.</li>
 *   <li>{@code minMatched}: the least fraction of each runtime's detections matched one to one in
 *       the other's ({@link DetectionMatcher}); default {@value #DEFAULT_MIN_MATCHED}. With no
 *       detections at all on either side the fraction is 1 (vacuous) and the report says so.</li>
 *   <li>{@code maxApDelta}: the largest {@code |AP_torch - AP_onnx|}, for COCO AP and AP50 each,
 *       when ground truth is given; default {@value #DEFAULT_MAX_AP_DELTA}.</li>
 * </ul>
 */
public record Tolerances(double maxAbs, double maxRel, double relFloor, double minMatched, double maxApDelta) {
    public static final double DEFAULT_MAX_ABS = 1e-3;
    public static final double DEFAULT_REL_FLOOR = 1e-3;
    public static final double DEFAULT_MIN_MATCHED = 0.99;
    public static final double DEFAULT_MAX_AP_DELTA = 0.005;

    public static final Tolerances DEFAULT = new Tolerances(DEFAULT_MAX_ABS, Double.POSITIVE_INFINITY, DEFAULT_REL_FLOOR,
            DEFAULT_MIN_MATCHED, DEFAULT_MAX_AP_DELTA);

    public Tolerances {
        if (!(maxAbs >= 0) || !(maxRel >= 0) || !(relFloor > 0) || !(minMatched >= 0 && minMatched <= 1) || !(maxApDelta >= 0)) {
            throw new IllegalArgumentException("tolerances must be non-negative (relFloor positive, minMatched in [0, 1]): maxAbs "
                    + maxAbs + ", maxRel " + maxRel + ", relFloor " + relFloor + ", minMatched " + minMatched + ", maxApDelta " + maxApDelta);
        }
    }
}
