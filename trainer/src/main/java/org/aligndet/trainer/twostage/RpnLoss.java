package org.aligndet.trainer.twostage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.aligndet.trainer.assign.AnchorGrid;
import org.aligndet.trainer.loss.BceWithLogitsLoss;
import org.aligndet.trainer.loss.L1Loss;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.model.DenseMaps;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.model.TwoStageDetector.RpnOutputs;

/**
 * The RPN's loss for a batch, mmdetection 2.x {@code RPNHead}: each image's anchors assigned and
 * sampled by {@link RpnTargets}; {@code loss_rpn_cls} binary cross-entropy on the sampled anchors'
 * objectness logits, {@code loss_rpn_bbox} L1 on the sampled positives' deltas, both summed and
 * divided by the batch's sampled anchors (positives plus negatives, at least 1).
 */
public final class RpnLoss {
    public static final String LOSS_CLS = "loss_rpn_cls", LOSS_BBOX = "loss_rpn_bbox";

    private final RpnTargets targets;
    private final BceWithLogitsLoss bce = new BceWithLogitsLoss();
    private final L1Loss l1 = new L1Loss();

    public RpnLoss(RpnTargets targets) {
        this.targets = targets;
    }

    /** Every image's anchors, in the order of {@link RpnTargets#anchors}. */
    public float[] anchors(PriorLayout layout) {
        return targets.anchors(levelSizes(layout));
    }

    private static int[][] levelSizes(PriorLayout layout) {
        int[][] sizes = new int[layout.levels()][];
        for (int l = 0; l < sizes.length; l++) {
            sizes[l] = new int[] {layout.height(l), layout.width(l)};
        }
        return sizes;
    }

    /**
     * @param out per image boxes {@code float[G * 4]} in the input's pixels (fine-tuning: labelled
     *            boxes; pre-training: proposals)
     * @param positives filled with the number of sampled positive anchors (for the log), or {@code null}
     */
    public LossTerms compute(RpnOutputs out, List<float[]> gts, SplittableRandom rng, int[] positives) {
        PriorLayout layout = out.layout();
        int n = layout.batch();
        if (gts.size() != n) {
            throw new IllegalArgumentException(gts.size() + " box lists for a batch of " + n);
        }
        float[] anchors = anchors(layout);
        AnchorGrid grid = targets.grid(anchors, levelSizes(layout)); // IoUs only where a box can reach
        long[] seeds = rng.longs(n).toArray();
        RpnTargets.Image[] t = IntStream.range(0, n).parallel()
                .mapToObj(b -> targets.targets(anchors, grid, gts.get(b), new SplittableRandom(seeds[b])))
                .toArray(RpnTargets.Image[]::new);
        int samples = 0, pos = 0;
        for (RpnTargets.Image img : t) {
            samples += img.avgFactor();
            pos += img.sample().positives().length;
        }
        if (positives != null) {
            positives[0] = pos;
        }
        NDArray logits = HeadOutputs.flatten(out.objectness(), 1); // [R, 1], level-major
        NDArray deltas = HeadOutputs.flatten(out.deltas(), 4);     // [R, 4]
        LossTerms terms = new LossTerms();
        if (samples == 0) {
            terms.put(LOSS_CLS, DenseMaps.zeroLoss(logits));
            terms.put(LOSS_BBOX, DenseMaps.zeroLoss(deltas));
            return terms;
        }
        long[] rows = new long[samples];
        float[] objectness = new float[samples];
        long[] posRows = new long[pos];
        float[] posTargets = new float[4 * pos];
        int r = 0, p = 0;
        for (int b = 0; b < n; b++) {
            int[] all = t[b].sample().all();
            float[] obj = t[b].objectness();
            for (int i = 0; i < all.length; i++) {
                rows[r] = layout.boxRow(b, all[i]);
                objectness[r++] = obj[i];
            }
            int[] ps = t[b].sample().positives();
            for (int i = 0; i < ps.length; i++) {
                posRows[p] = layout.boxRow(b, ps[i]);
                System.arraycopy(t[b].posTargets(), 4 * i, posTargets, 4 * p, 4);
                p++;
            }
        }
        NDManager m = logits.getManager();
        NDArray sampled = DenseMaps.rows(logits, rows).reshape(samples);
        terms.put(LOSS_CLS, bce.compute(sampled, m.create(objectness, new Shape(samples)), null, samples));
        if (pos == 0) {
            terms.put(LOSS_BBOX, DenseMaps.zeroLoss(deltas));
        } else {
            NDArray pred = DenseMaps.rows(deltas, posRows);
            terms.put(LOSS_BBOX, l1.compute(pred, m.create(posTargets, new Shape(pos, 4)), null, samples));
        }
        return terms;
    }
}
