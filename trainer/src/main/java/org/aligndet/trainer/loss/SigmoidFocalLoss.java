package org.aligndet.trainer.loss;

import org.aligndet.bridge.torch.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;

/**
 * Sigmoid focal loss (Lin et al.) on per-class logits {@code [N, C]} with one-hot targets (a background
 * row is all zeros): {@code alpha_t * (1 - p_t)^gamma * BCE(x, t)}, summed, divided by {@code avgFactor}.
 * Same value as torchvision's {@code sigmoid_focal_loss(reduction="sum") / avgFactor}.
 */
public final class SigmoidFocalLoss {
    private final double alpha;
    private final double gamma;

    public SigmoidFocalLoss(double alpha, double gamma) {
        this.alpha = alpha;
        this.gamma = gamma;
    }

    /** RetinaNet's: alpha 0.25, gamma 2. */
    public SigmoidFocalLoss() {
        this(0.25, 2.0);
    }

    /**
     * @param logits    {@code [N, C]}
     * @param targets   {@code [N, C]} one-hot (see {@link #oneHot})
     * @param weight    broadcastable to {@code [N, C]} or {@code null}
     * @param avgFactor {@code > 0}, usually {@code max(#positives, 1)}
     */
    public NDArray compute(NDArray logits, NDArray targets, NDArray weight, double avgFactor) {
        Reduction.sameShape(logits, targets, "focal logits/targets");
        NDArray p = Activation.sigmoid(logits);
        NDArray ce = BceWithLogitsLoss.elementwise(logits, targets);
        NDArray pt = p.mul(targets).add(Scalars.add(p.neg(), 1f).mul(Scalars.add(targets.neg(), 1f)));
        NDArray alphaT = Scalars.mul(targets, (float) alpha).add(Scalars.mul(Scalars.add(targets.neg(), 1f), (float) (1 - alpha)));
        NDArray loss = ce.mul(Scalars.pow(Scalars.add(pt.neg(), 1f), (float) gamma)).mul(alphaT);
        return Reduction.weightedSum(loss, weight, avgFactor);
    }

    /**
     * One-hot targets {@code [N, C]} float32 from labels in {@code [0, C]}, where label {@code C}
     * (mmdetection's background label) gives a row of zeros.
     */
    public static NDArray oneHot(NDManager manager, int[] labels, int numClasses) {
        float[] t = new float[labels.length * numClasses];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " at " + i + " outside [0, " + numClasses + "]");
            }
            if (labels[i] < numClasses) {
                t[i * numClasses + labels[i]] = 1f;
            }
        }
        return manager.create(t, new ai.djl.ndarray.types.Shape(labels.length, numClasses));
    }
}
