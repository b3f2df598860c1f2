package org.aligndet.trainer.detect;

import org.aligndet.trainer.spec.ModelSpec;

/**
 * The focal-loss prior (Lin et al., RetinaNet §4.1): the final classification layer starts with bias
 * {@code b = -log((1 - p) / p)}, so every class scores {@code sigmoid(b) = p} before training and the
 * many background priors do not swamp the first iterations. Used when fine-tuning re-initialises the
 * classifier (its weights get {@code N(0, 0.01)}).
 */
public final class ClassifierBias {
    /** mmdetection's {@code prior_prob} for RetinaNet and FCOS. */
    public static final double DEFAULT_PRIOR = 0.01;

    private ClassifierBias() {
    }

    /** {@code -log((1 - p) / p)} for {@code p} in (0, 1); {@code p = 0.01} gives about {@code -4.595}. */
    public static double classifierBiasPrior(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("prior probability must be in (0, 1), got " + p);
        }
        return -Math.log((1 - p) / p);
    }

    /** The bias from the spec's {@code head.prior_prob}. */
    public static double classifierBiasPrior(ModelSpec spec) {
        return classifierBiasPrior(spec.priorProb());
    }
}
