package org.aligndet.trainer.finetune;

import java.io.IOException;
import org.aligndet.trainer.infer.TorchPredictor;

/**
 * Scores the detector being fine-tuned on a held-out set. The trainer knows no evaluator (COCO
 * evaluation lives in {@code export}); the command line passes one in.
 *
 * <p>Contract: called between iterations, outside any gradient recording; the predictor runs the
 * training graph in eval mode and restores train mode itself. The implementation must not change
 * the graph's weights.
 */
@FunctionalInterface
public interface Validator {
    /** @param iteration iterations done so far (for logs and file names) */
    ValidationResult validate(TorchPredictor predictor, long iteration) throws IOException;
}
