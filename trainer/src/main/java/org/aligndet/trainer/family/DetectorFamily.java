package org.aligndet.trainer.family;

import java.util.List;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * A detector family's rules, built once from a spec: what pre-training, fine-tuning, inference and
 * the cross-runtime check must agree on (priors, assignment, box coding, regression loss, decoding).
 * AlignDet aligns pre-training with fine-tuning by having both use the same instance of these rules.
 *
 * <p>{@link #of} is the one place that maps a spec's family onto its rules; nothing else switches on
 * the family.
 */
public sealed interface DetectorFamily permits DenseFamily, TwoStageFamily, SetPredictionFamily {
    ModelSpec spec();

    /** The stage methods the family's TorchScript graph must export, in call order. */
    List<String> graphMethods();

    /** mmdetection names of the final classifier's weight and bias (re-initialised when the classes change). */
    String classifierWeight();

    String classifierBias();

    /** Name prefixes of the final regression layers (restarted by {@code --fresh-regression}). */
    List<String> finalRegressionLayers();

    /** The bias a re-initialised classifier starts with: the focal prior for sigmoid heads, 0 for softmax ones. */
    double freshClassifierBias();

    /** The rules of the spec's family; an error naming the spec for families not implemented yet. */
    static DetectorFamily of(ModelSpec spec) {
        return switch (spec.family()) {
            case RETINANET -> RetinaNetFamily.fromSpec(spec);
            case FCOS -> FcosFamily.fromSpec(spec);
            case FASTER_RCNN, MASK_RCNN -> TwoStageFamily.fromSpec(spec);
            case DETR -> throw new UnsupportedOperationException(spec.file() + ": family "
                    + spec.family().id() + " is not implemented yet (RetinaNet, FCOS, Faster and Mask R-CNN are)");
        };
    }

    /** The dense rules of a spec; an error naming the spec when its family is not dense. */
    static DenseFamily dense(ModelSpec spec) {
        DetectorFamily f = of(spec);
        if (f instanceof DenseFamily d) {
            return d;
        }
        throw new IllegalArgumentException(spec.name() + ": not a dense detector (" + spec.family().id() + ")");
    }

    /** The two-stage rules of a spec; an error naming the spec when its family is not two-stage. */
    static TwoStageFamily twoStage(ModelSpec spec) {
        DetectorFamily f = of(spec);
        if (f instanceof TwoStageFamily t) {
            return t;
        }
        throw new IllegalArgumentException(spec.name() + ": not a two-stage detector (" + spec.family().id() + ")");
    }
}
