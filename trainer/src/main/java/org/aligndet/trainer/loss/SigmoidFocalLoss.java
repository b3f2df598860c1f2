package org.aligndet.trainer.loss;

import org.aligndet.bridge.torch.GradMode;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
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
     * The same loss from class labels, without a dense target: {@link #compute} with one-hot targets of
     * {@code labels} and weight 0 on {@code ignoredRows}, to float rounding, in a few dense passes.
     *
     * <p>With {@code f(x) = sigmoid(x)^gamma * softplus(x)}, an entry with target 0 costs
     * {@code (1 - alpha) f(x)} and one with target 1 costs {@code alpha f(-x)}. So the loss is
     * {@code (1 - alpha) (sum f(X) - sum over positives f(x) - sum over ignored rows f(x)) + alpha sum over
     * positives f(-x)}: one dense pass over {@code [N, C]} (sigmoid, power, softplus, product, sum; the
     * dense form takes about five times as many {@code [N, C]} temporaries, forward and backward) and gathers
     * of the few positive entries and ignored rows. At R50 scale {@code [N, C]} is 2 x 163k priors x 80
     * classes, 104 MB per temporary.
     *
     * <p>The gradient is formed whole outside autograd ({@link KnownGradient}): {@code (1 - alpha) f'(x)}
     * everywhere, then 0 on the ignored rows and {@code -alpha f'(-x)} on the positive entries, written in
     * place. Through autograd, each of the two gathers would give backward a zero-filled {@code [N, C]}
     * gradient to scatter into and add to the dense one.
     *
     * @param logits      {@code [N, C]}, contiguous
     * @param labels      per row, a class in {@code [0, C)} or {@code C} (background: all targets 0)
     * @param ignoredRows rows that carry no loss (never a positive's row), or an empty array
     * @param avgFactor   {@code > 0}
     */
    public NDArray compute(NDArray logits, int[] labels, int[] ignoredRows, double avgFactor) {
        Reduction.checkAvgFactor(avgFactor);
        Shape shape = logits.getShape();
        if (shape.dimension() != 2 || shape.get(0) != labels.length) {
            throw new IllegalArgumentException("focal logits " + shape + " need [" + labels.length + ", C] for "
                    + labels.length + " labels");
        }
        int c = (int) shape.get(1);
        int positives = positives(labels, c);
        long[] flat = new long[positives];
        for (int i = 0, k = 0; i < labels.length; i++) {
            if (labels[i] < c) {
                flat[k++] = (long) i * c + labels[i];
            }
        }
        for (int r : ignoredRows) {
            if (r < 0 || r >= labels.length || labels[r] < c) {
                throw new IllegalArgumentException("ignored row " + r + " is outside [0, " + labels.length
                        + ") or a positive's row");
            }
        }
        NDManager m = logits.getManager();
        float negScale = (float) ((1 - alpha) / avgFactor);
        NDArray value;
        NDArray grad;
        try (GradMode off = GradMode.off(); NDScope scope = new NDScope()) {
            NDArray[] dense = sumAndDerivative(logits); // every entry as a negative
            value = Scalars.mul(dense[0], negScale);
            grad = dense[1].muli(Scalars.of(logits, negScale));
            if (ignoredRows.length > 0) {
                long[] rows = new long[ignoredRows.length];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = ignoredRows[i];
                }
                NDArray index = NdTensors.ownedIndex(m, rows);
                value = value.sub(Scalars.mul(f(logits.get(index)).sum(), negScale));
                grad.set(new NDIndex("{}", index), 0f);
            }
            if (positives > 0) {
                NDArray index = NdTensors.ownedIndex(m, flat);
                NDArray x = logits.reshape(-1).get(index);
                NDArray[] asPositive = sumAndDerivative(x.neg()); // f(-x) and f'(-x)
                float posScale = (float) (alpha / avgFactor);
                value = value.sub(Scalars.mul(f(x).sum(), negScale)).add(Scalars.mul(asPositive[0], posScale));
                try (NDArray flatGrad = grad.reshape(-1)) {
                    flatGrad.set(new NDIndex("{}", index), Scalars.mul(asPositive[1], -posScale)); // d/dx alpha f(-x)
                }
            }
            NDScope.unregister(value, grad);
        }
        NDArray term = KnownGradient.term(logits, value, grad);
        grad.close(); // autograd keeps its own reference for backward
        return term;
    }

    /** How many labels name a class (not background {@code c}); every label must lie in {@code [0, c]}. */
    private static int positives(int[] labels, int c) {
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > c) {
                throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " outside [0, " + c + "]");
            }
            n += labels[i] < c ? 1 : 0;
        }
        return n;
    }

    /**
     * {@code Σ f(x)} and {@code f'(x)} element-wise, outside autograd (call under {@link GradMode#off}): with
     * {@code s = sigmoid(x)}, {@code f'(x) = s^γ (γ (1 - s) softplus(x) + s)}. Over the dense {@code [N, C]}
     * autograd would keep {@code s}, {@code softplus(x)} and {@code s^γ} (three arrays, 104 MB each at
     * R50) until backward and make about eight passes over them there; here the gradient is formed in
     * place on the temporaries.
     */
    private NDArray[] sumAndDerivative(NDArray x) {
        NDArray s = Activation.sigmoid(x);
        NDArray sp = Activation.softPlus(x);
        NDArray sg = gamma == 2 ? s.square() : gamma == 0 ? null : Scalars.pow(s, (float) gamma);
        if (sg == null) {
            NDArray sum = sp.sum();
            sp.close();
            return new NDArray[] {sum, s}; // f = softplus: f' = s
        }
        NDArray sum;
        try (NDArray product = sg.mul(sp)) {
            sum = product.sum();
        }
        // γ (1 - s) softplus + s, then times s^γ, in place on a copy of s
        NDArray derivative = Scalars.mul(s, (float) -gamma).addi(Scalars.of(s, (float) gamma)).muli(sp).addi(s).muli(sg);
        // the temporaries go now, not with the caller's scope: at R50 they are 3 x 104 MB, and the
        // caller's gathers would otherwise add to that peak (and to the pages faulted in for it)
        s.close();
        sp.close();
        sg.close();
        return new NDArray[] {sum, derivative};
    }

    /** {@code sigmoid(x)^gamma * softplus(x)}: the focal loss of an entry whose target is 0, before alpha. */
    private NDArray f(NDArray x) {
        NDArray sp = Activation.softPlus(x);
        if (gamma == 0) {
            return sp;
        }
        NDArray p = Activation.sigmoid(x);
        return (gamma == 2 ? p.square() : Scalars.pow(p, (float) gamma)).mul(sp);
    }

    /**
     * One-hot targets {@code [N, C]} float32 from labels in {@code [0, C]}, where label {@code C}
     * (mmdetection's background label) gives a row of zeros.
     */
    public static NDArray oneHot(NDManager manager, int[] labels, int numClasses) {
        positives(labels, numClasses);
        float[] t = new float[labels.length * numClasses];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < numClasses) {
                t[i * numClasses + labels[i]] = 1f;
            }
        }
        return manager.create(t, new ai.djl.ndarray.types.Shape(labels.length, numClasses));
    }
}
