package org.aligndet.trainer.twostage;

import java.util.SplittableRandom;
import org.aligndet.trainer.assign.AnchorGrid;
import org.aligndet.trainer.assign.Assignment;
import org.aligndet.trainer.assign.MaxIoUAssigner;
import org.aligndet.trainer.box.Boxes;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.sample.PositiveFirstSampler;
import org.aligndet.trainer.sample.Sample;

/**
 * The RPN's anchor targets for one image, with mmdetection's (v2) Faster R-CNN {@code rpn} training
 * config: anchors from {@code AnchorGenerator(scales=[8], ratios=[0.5, 1, 2], strides=[4, 8, 16, 32, 64])}
 * (centre offset 0), {@code MaxIoUAssigner(pos_iou_thr=0.7, neg_iou_thr=0.3, min_pos_iou=0.3,
 * match_low_quality=True)} (all maxima), {@code RandomSampler(num=256, pos_fraction=0.5,
 * neg_pos_ub=-1, add_gt_as_proposals=False)}, class-agnostic {@code DeltaXYWHBBoxCoder} targets with
 * means 0 and stds 1. {@code allowed_border=-1}: every anchor takes part (also those of padded
 * cells, as mmdetection's valid flags are all true when the maps cover the padded input).
 *
 * <p>The sampler draws from the generator passed in (see {@link PositiveFirstSampler}): the sampled
 * subsets have mmdetection's distribution, not its exact draws.
 */
public final class RpnTargets {
    private final AnchorGenerator anchors;
    private final MaxIoUAssigner assigner;
    private final PositiveFirstSampler sampler;
    private final DeltaXYWHCoder coder;

    public RpnTargets(AnchorGenerator anchors, MaxIoUAssigner assigner, PositiveFirstSampler sampler, DeltaXYWHCoder coder) {
        this.anchors = anchors;
        this.assigner = assigner;
        this.sampler = sampler;
        this.coder = coder;
    }

    /** mmdetection's Faster R-CNN RPN on the given strides (usually 4, 8, 16, 32, 64). */
    public static RpnTargets mmdetection(int[] strides) {
        return new RpnTargets(new AnchorGenerator(8, 1, new double[] {0.5, 1.0, 2.0}, strides, 0.0),
                new MaxIoUAssigner(0.7f, 0.3f, 0.3f, true, true), new PositiveFirstSampler(256, 0.5), DeltaXYWHCoder.unit());
    }

    public AnchorGenerator anchorGenerator() {
        return anchors;
    }

    /**
     * All levels' anchors, level after level, each in {@link AnchorGenerator}'s order (location-major,
     * then anchor): the order of the RPN outputs flattened as {@code permute(0, 2, 3, 1)} per level.
     *
     * @param levelSizes per level {@code {h, w}}
     */
    public float[] anchors(int[][] levelSizes) {
        if (levelSizes.length != anchors.numLevels()) {
            throw new IllegalArgumentException(levelSizes.length + " level sizes for " + anchors.numLevels() + " levels");
        }
        float[][] per = new float[levelSizes.length][];
        for (int l = 0; l < per.length; l++) {
            per[l] = anchors.anchors(l, levelSizes[l][0], levelSizes[l][1]);
        }
        return Boxes.concat(java.util.List.of(per));
    }

    /**
     * Where each box can reach the anchors of {@link #anchors}{@code (levelSizes)}, so that the assignment
     * computes IoUs only there (the result is the same as scanning every anchor); null when the anchors
     * are not such a grid.
     */
    public AnchorGrid grid(float[] anchors, int[][] levelSizes) {
        int levels = levelSizes.length;
        int[] rows = new int[levels], cols = new int[levels], strides = new int[levels];
        for (int l = 0; l < levels; l++) {
            rows[l] = levelSizes[l][0];
            cols[l] = levelSizes[l][1];
            strides[l] = this.anchors.stride(l);
        }
        return AnchorGrid.of(anchors, rows, cols, this.anchors.numAnchors(), strides);
    }

    /** Assigns, samples and encodes: {@code anchors} {@code float[A * 4]}, {@code gts} {@code float[G * 4]}, xyxy. */
    public Image targets(float[] anchors, float[] gts, SplittableRandom rng) {
        return targets(anchors, null, gts, rng);
    }

    /**
     * As {@link #targets(float[], float[], SplittableRandom)}, computing IoUs only where {@code grid}
     * (from {@link #grid}, or null for every anchor) says a box can reach.
     */
    public Image targets(float[] anchors, AnchorGrid grid, float[] gts, SplittableRandom rng) {
        Assignment a = grid == null ? assigner.assign(anchors, gts) : assigner.assign(anchors, gts, grid);
        Sample s = sampler.sample(a, rng);
        int[] pos = s.positives();
        float[] priors = new float[pos.length * 4];
        float[] matched = new float[pos.length * 4];
        for (int i = 0; i < pos.length; i++) {
            System.arraycopy(anchors, 4 * pos[i], priors, 4 * i, 4);
            System.arraycopy(gts, 4 * a.gtIndex()[pos[i]], matched, 4 * i, 4);
        }
        return new Image(a, s, coder.encode(priors, matched));
    }

    /**
     * One image's RPN targets.
     *
     * @param assignment every anchor's gt, {@link Assignment#BACKGROUND} or {@link Assignment#IGNORED}
     * @param sample     the anchors that take the objectness loss (positives, then negatives)
     * @param posTargets the sampled positives' delta targets, {@code float[positives * 4]}, in
     *                   {@code sample.positives()} order
     */
    public record Image(Assignment assignment, Sample sample, float[] posTargets) {
        public Image {
            if (posTargets.length != 4 * sample.positives().length) {
                throw new IllegalArgumentException(posTargets.length + " target values for " + sample.positives().length + " positives");
            }
        }

        /** Objectness targets in {@link Sample#all()} order: 1 for a positive, 0 for a negative. */
        public float[] objectness() {
            float[] t = new float[sample.size()];
            java.util.Arrays.fill(t, 0, sample.positives().length, 1f);
            return t;
        }

        /**
         * This image's share of mmdetection's average factor: with sampling, the loss is divided by the
         * batch's sampled positives plus negatives (both the objectness and the box loss).
         */
        public int avgFactor() {
            return sample.size();
        }
    }
}
