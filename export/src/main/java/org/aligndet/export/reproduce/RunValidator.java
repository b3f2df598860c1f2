package org.aligndet.export.reproduce;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.export.eval.CocoDetections;
import org.aligndet.export.eval.CocoEvaluator;
import org.aligndet.export.eval.CocoGroundTruth;
import org.aligndet.export.eval.CocoResultsWriter;
import org.aligndet.export.eval.CocoValidator;
import org.aligndet.trainer.finetune.ValidationResult;
import org.aligndet.trainer.finetune.Validator;
import org.aligndet.trainer.infer.TorchPredictor;

/**
 * Validation of one protocol run: COCO AP of the run's own detections on the validation split at
 * each point, the final detections written as a COCO results file (so that every reported AP can be
 * recomputed from the detections it came from).
 */
final class RunValidator implements Validator {
    private final CocoValidator validator;
    private final CocoGroundTruth gt;
    private final long finalIteration;
    private final Path detectionsFile;
    private final List<RunRecord.CurvePoint> curve = new ArrayList<>();
    private double[] finalStats;

    RunValidator(CocoValidator validator, CocoGroundTruth gt, long finalIteration, Path detectionsFile) {
        this.validator = validator;
        this.gt = gt;
        this.finalIteration = finalIteration;
        this.detectionsFile = detectionsFile;
    }

    @Override
    public ValidationResult validate(TorchPredictor predictor, long iteration) {
        CocoDetections dets = validator.detect(predictor);
        double[] stats = new CocoEvaluator().evaluate(gt, dets).stats();
        curve.add(new RunRecord.CurvePoint(iteration, stats[0], stats[1]));
        if (iteration == finalIteration) {
            CocoResultsWriter.write(detectionsFile, dets);
            finalStats = stats;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("bbox_mAP", stats[0]);
        m.put("bbox_mAP_50", stats[1]);
        m.put("bbox_mAP_75", stats[2]);
        return new ValidationResult(ValidationResult.BBOX_MAP, m);
    }

    List<RunRecord.CurvePoint> curve() {
        return curve;
    }

    /** The 12 COCO stats of the final model; null until the final validation ran. */
    double[] finalStats() {
        return finalStats;
    }
}
