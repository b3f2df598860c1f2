package org.aligndet.export.reproduce;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What one fine-tuning run of the protocol measured; written as {@code runs/NAME/result.json}.
 *
 * @param arm        the arm ({@link Arm#name()})
 * @param fraction   share of the training pool labelled
 * @param schedule   {@code short} or {@code long}
 * @param fold       1-based fold; arms share the images and seed of a fold
 * @param iters      fine-tuning iterations
 * @param trainImages labelled images the run saw
 * @param ap         COCO AP@[.5:.95] of the final model on the validation split
 * @param ap50       AP@.5
 * @param ap75       AP@.75
 * @param curve      validation AP and AP50 at each validation point
 * @param losses     {@code loss_cls} and {@code loss_bbox} at the plan's fixed iterations (window means)
 * @param firstLoss  the loss of the first iteration
 * @param firstGradNorm the gradient norm of the first iteration (before clipping)
 * @param detections the final detections on the validation split, relative to the report's folder
 * @param seconds    wall time of the run
 */
public record RunRecord(String arm, double fraction, String schedule, int fold, int iters, int trainImages,
                        @JsonProperty("AP") double ap, @JsonProperty("AP50") double ap50, @JsonProperty("AP75") double ap75, List<CurvePoint> curve, List<LossPoint> losses, double firstLoss,
                        double firstGradNorm, String detections, double seconds) {
    public RunRecord {
        curve = List.copyOf(curve);
        losses = List.copyOf(losses);
    }

    /** A validation of the run. */
    public record CurvePoint(long iter, @JsonProperty("AP") double ap, @JsonProperty("AP50") double ap50) {
    }

    /** Losses around a fixed iteration. */
    public record LossPoint(long iter, double lossCls, double lossBbox) {
    }

    /** The run's folder name: {@code ARM_fFRACTION_SCHEDULE_foldK}. */
    public static String name(String arm, double fraction, String schedule, int fold) {
        return String.format(java.util.Locale.ROOT, "%s_f%s_%s_fold%d", arm, fractionId(fraction), schedule, fold);
    }

    static String fractionId(double fraction) {
        String s = Double.toString(fraction);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** The metric by name: {@code AP}, {@code AP50} or {@code AP75}. */
    public double metric(String name) {
        return switch (name) {
            case "AP" -> ap;
            case "AP50" -> ap50;
            case "AP75" -> ap75;
            default -> throw new IllegalArgumentException("no metric " + name);
        };
    }
}
