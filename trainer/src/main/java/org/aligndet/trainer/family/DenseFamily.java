package org.aligndet.trainer.family;

import java.util.List;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.infer.DensePostprocess;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.model.PriorLayout;

/**
 * A dense one-stage family (RetinaNet: anchors, FCOS: points): every prior of the head's per-level
 * maps is a candidate box. Pre-training assigns the priors to proposals and fine-tuning to labelled
 * boxes with the same {@link #assign}; both regress with the same {@link #regressionLoss}; inference
 * decodes with {@link #postprocess}.
 */
public sealed interface DenseFamily extends DetectorFamily permits RetinaNetFamily, FcosFamily {
    /** The stage methods of a dense graph. */
    List<String> METHODS = List.of(DenseDetector.METHODS);

    @Override
    default List<String> graphMethods() {
        return METHODS;
    }

    /** Priors per feature location (anchors; 1 for points). */
    int priorsPerLocation();

    /** Per-level output groups of {@code head_forward}: 2 (classification features, box branch) or 3 (and centre-ness). */
    int headGroups();

    /** Kernel of the AlignDet projector's first conv, as the official heads: 1 for RetinaNet, 3 for FCOS. */
    int projectorKernel();

    /** mmdetection names of the final classifier's weight and bias. */
    String classifierWeight();

    String classifierBias();

    /** Name prefixes of the final regression layers (the box output and, FCOS, centre-ness). */
    List<String> finalRegressionLayers();

    /** The family's priors of a layout, per level (anchors {@code [n*4]} xyxy or points {@code [n*2]}), cached. */
    float[][] priors(PriorLayout layout);

    /**
     * One image's priors assigned to its boxes.
     *
     * @param layout   the head's layout (its batch size does not matter)
     * @param gtXyxy   the image's boxes {@code float[G*4]}, input pixels
     * @param padShape the image's own padded {@code {height, width}} before batch padding: anchors
     *                 whose location lies beyond it are ignored (mmdetection's valid flags); {@code null}
     *                 treats every prior as valid
     */
    ImageTargets assign(PriorLayout layout, float[] gtXyxy, int[] padShape);

    /**
     * {@link #assign(PriorLayout, float[], int[])}, free to write the gt indices into {@code reuse}
     * when its length is the image's prior count: the {@link ImageTargets#gtIndex} of an earlier call
     * that the caller no longer reads (the result then holds that array). A family that does not
     * reuse it returns a new array, as does any family when {@code reuse} is {@code null} or of
     * another length.
     */
    default ImageTargets assign(PriorLayout layout, float[] gtXyxy, int[] padShape, int[] reuse) {
        return assign(layout, gtXyxy, padShape);
    }

    /**
     * Positives of a batch for a regression loss.
     *
     * @param images  per positive, its image in the batch
     * @param priors  per positive, its prior in the image
     * @param targets per positive, its regression target ({@code float[M*4]}, from {@link ImageTargets})
     */
    PositiveTargets positives(PriorLayout layout, int[] images, int[] priors, float[] targets);

    /** The regression loss of a stage (the spec may give pre-training its own, e.g. FCOS IoU vs GIoU). */
    RegressionLoss regressionLoss(Stage stage);

    /**
     * The normaliser of the classification loss (and of regression terms averaged by positives) from
     * each image's positives: RetinaNet {@code sum max(n_b, 1)} (mmdetection v2 anchor heads), FCOS
     * {@code max(sum n_b, 1)}.
     */
    double avgFactor(int[] positivesPerImage);

    @Override
    default double freshClassifierBias() {
        return org.aligndet.trainer.detect.ClassifierBias.classifierBiasPrior(spec());
    }

    /** The spec's decoding, top-k and NMS for inference. */
    DensePostprocess postprocess();

    /** The graph driven stage by stage with this family's output layout. */
    default DenseDetector detector(TorchGraph graph) {
        return new DenseDetector(spec(), graph, METHODS, headGroups(), priorsPerLocation());
    }
}
