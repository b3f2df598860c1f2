package org.aligndet.trainer.twostage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.aligndet.bridge.torch.Scalars;
import org.aligndet.trainer.loss.L1Loss;
import org.aligndet.trainer.model.DenseMaps;

/**
 * The RoI head's losses, mmdetection 2.x {@code BBoxHead.loss} with {@code reg_class_agnostic=False}:
 * <ul>
 *   <li>{@code loss_cls}: softmax cross-entropy over {@code classes + 1} outputs (background last),
 *       averaged over the sampled RoIs;</li>
 *   <li>{@code loss_bbox}: L1 between each positive's deltas for its own class (columns
 *       {@code 4c .. 4c + 3}) and its targets, summed and divided by the number of sampled RoIs.</li>
 * </ul>
 * {@link #regressionAllClasses} is pre-training's regression, where RoIs carry proposal ids, not
 * classes: every class's deltas regress onto the proposal, each column weighted {@code 1 / classes},
 * so the head starts fine-tuning with every class's regressor aligned to boxes.
 */
public final class RoiHeadLoss {
    public static final String LOSS_CLS = "loss_cls", LOSS_BBOX = "loss_bbox";

    private final int numClasses;
    private final L1Loss l1 = new L1Loss();

    public RoiHeadLoss(int numClasses) {
        this.numClasses = numClasses;
    }

    /** @param logits {@code [K, C + 1]}; @param labels {@code int[K]} in {@code [0, C]} ({@code C}: background) */
    public NDArray classification(NDArray logits, int[] labels) {
        int k = labels.length;
        long[] s = logits.getShape().getShape();
        if (s.length != 2 || s[0] != k || s[1] != numClasses + 1) {
            throw new IllegalArgumentException("logits " + logits.getShape() + " for " + k + " RoIs of " + numClasses + " classes");
        }
        long[] flat = new long[k];
        for (int i = 0; i < k; i++) {
            if (labels[i] < 0 || labels[i] > numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " outside [0, " + numClasses + "]");
            }
            flat[i] = (long) i * (numClasses + 1) + labels[i];
        }
        NDArray logp = logits.logSoftmax(1).reshape(-1, 1);
        return Scalars.div(DenseMaps.rows(logp, flat).sum().neg(), (float) k);
    }

    /**
     * @param deltas  {@code [K, 4 * C]}
     * @param posRows the positives' rows in {@code deltas}
     * @param posLabels their classes
     * @param targets {@code float[P * 4]}
     * @param avgFactor the sampled RoIs
     */
    public NDArray regression(NDArray deltas, int[] posRows, int[] posLabels, float[] targets, int avgFactor) {
        int p = posRows.length;
        if (p == 0) {
            return DenseMaps.zeroLoss(deltas);
        }
        long[] flat = new long[p];
        for (int i = 0; i < p; i++) {
            flat[i] = (long) posRows[i] * numClasses + posLabels[i];
        }
        NDArray pred = DenseMaps.rows(deltas.reshape(-1, 4), flat);
        NDManager m = deltas.getManager();
        return l1.compute(pred, m.create(targets, new Shape(p, 4)), null, Math.max(1, avgFactor));
    }

    /** Pre-training: every class's deltas of the positives onto their targets, averaged over the classes. */
    public NDArray regressionAllClasses(NDArray deltas, int[] posRows, float[] targets, int avgFactor) {
        int p = posRows.length;
        if (p == 0) {
            return DenseMaps.zeroLoss(deltas);
        }
        long[] rows = new long[p];
        for (int i = 0; i < p; i++) {
            rows[i] = posRows[i];
        }
        NDArray pred = DenseMaps.rows(deltas, rows).reshape(p, numClasses, 4);
        NDArray t = deltas.getManager().create(targets, new Shape(p, 1, 4));
        return Scalars.div(pred.sub(t).abs().sum(), (float) Math.max(1, avgFactor) * numClasses);
    }
}
