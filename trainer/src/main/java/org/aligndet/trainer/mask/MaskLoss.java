package org.aligndet.trainer.mask;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.trainer.loss.BceWithLogitsLoss;

/**
 * Mask R-CNN's mask loss, mmdetection 2.x's {@code CrossEntropyLoss(use_mask=True)}
 * ({@code mask_cross_entropy}, reduction {@code 'mean'}, loss weight 1): from logits
 * {@code [P, C, S, S]} take each positive RoI's channel of its gt label ({@code pred[arange(P), labels]}),
 * then binary cross-entropy with logits against the targets {@code [P, S, S]}, the mean over all
 * {@code P * S * S} elements. A class-agnostic head ({@code C == 1}) uses channel 0 for every RoI, as
 * {@code FCNMaskHead.loss} passes zeros as labels. With no positives the loss is
 * {@code logits.sum()} (zero, still attached to the graph), as in {@code FCNMaskHead.loss}.
 *
 * <p>Differentiable in the logits through DJL ops (the channel pick is a {@code gather}, so the
 * other channels get zero gradient).
 */
public final class MaskLoss {
    private final BceWithLogitsLoss bce = new BceWithLogitsLoss();

    /**
     * @param logits  {@code [P, C, S, S]} (the mask head's output for the positive RoIs)
     * @param labels  {@code int[P]}, each in {@code [0, C)} (ignored when {@code C == 1})
     * @param targets {@code [P, S, S]} in [0, 1], e.g. {@link MaskTargets#compute}
     * @return a scalar
     */
    public NDArray compute(NDArray logits, int[] labels, NDArray targets) {
        Shape s = logits.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("mask logits must be [P, C, H, W], got " + s);
        }
        long p = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        if (labels.length != p) {
            throw new IllegalArgumentException(p + " mask logits rows but " + labels.length + " labels");
        }
        if (!targets.getShape().equals(new Shape(p, h, w))) {
            throw new IllegalArgumentException("mask targets must be " + new Shape(p, h, w) + ", got " + targets.getShape());
        }
        if (p == 0) {
            return logits.sum();
        }
        long hw = h * w;
        long[] idx = new long[(int) (p * hw)];
        for (int i = 0; i < p; i++) {
            int label = c == 1 ? 0 : labels[i];
            if (label < 0 || label >= c) {
                throw new IllegalArgumentException("label " + labels[i] + " of RoI " + i + " outside [0, " + c + ")");
            }
            Arrays.fill(idx, (int) (i * hw), (int) ((i + 1) * hw), label);
        }
        NDManager m = logits.getManager();
        // autograd keeps the index for backward: an array libtorch owns (NdTensors.ownedIndex)
        NDArray index = NdTensors.ownedIndex(m, idx).reshape(p, 1, hw);
        NDArray picked = logits.reshape(p, c, hw).gather(index, 1).reshape(p, h, w);
        return bce.compute(picked, targets, null, (double) p * hw);
    }

    /** {@link #compute(NDArray, int[], NDArray)} with host targets {@code float[P * S * S]}. */
    public NDArray compute(NDArray logits, int[] labels, float[] targets) {
        Shape s = logits.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("mask logits must be [P, C, H, W], got " + s);
        }
        NDManager m = logits.getManager();
        NDArray t;
        try (NDArray wrapped = m.create(targets, new Shape(s.get(0), s.get(2), s.get(3)))) {
            t = wrapped.duplicate().toDevice(logits.getDevice(), false); // owned by libtorch: autograd keeps it for backward
        }
        return compute(logits, labels, t);
    }
}
