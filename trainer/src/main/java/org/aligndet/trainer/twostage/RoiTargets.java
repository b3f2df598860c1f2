package org.aligndet.trainer.twostage;

import java.util.SplittableRandom;
import org.aligndet.trainer.assign.Assignment;
import org.aligndet.trainer.assign.MaxIoUAssigner;
import org.aligndet.trainer.box.Boxes;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.sample.PositiveFirstSampler;
import org.aligndet.trainer.sample.Sample;

/**
 * The RoI head's sampled targets for one image in supervised fine-tuning, with mmdetection's (v2)
 * Faster R-CNN {@code rcnn} training config and {@code StandardRoIHead} / {@code BBoxHead} semantics:
 * <ol>
 *   <li>the proposals are assigned with {@code MaxIoUAssigner(pos_iou_thr=0.5, neg_iou_thr=0.5,
 *       min_pos_iou=0.5, match_low_quality=False)};</li>
 *   <li>the gts are added as proposals in front ({@code add_gt_as_proposals=True}), each assigned to
 *       itself;</li>
 *   <li>{@code RandomSampler(num=512, pos_fraction=0.25)} over gts + proposals (randomness from the
 *       generator passed in, see {@link PositiveFirstSampler});</li>
 *   <li>labels: a positive's gt label, {@code numClasses} for background; box targets of the positives
 *       with {@code DeltaXYWHBBoxCoder(means=0, stds=[0.1, 0.1, 0.2, 0.2])}, class-specific: a positive's
 *       regression uses the predicted deltas of its own label, columns {@code 4 * label .. 4 * label + 3}
 *       ({@code reg_class_agnostic=False}).</li>
 * </ol>
 */
public final class RoiTargets {
    private final MaxIoUAssigner assigner;
    private final PositiveFirstSampler sampler;
    private final DeltaXYWHCoder coder;
    private final int numClasses;

    public RoiTargets(MaxIoUAssigner assigner, PositiveFirstSampler sampler, DeltaXYWHCoder coder, int numClasses) {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses " + numClasses);
        }
        this.assigner = assigner;
        this.sampler = sampler;
        this.coder = coder;
        this.numClasses = numClasses;
    }

    /** mmdetection's Faster R-CNN RoI head for {@code numClasses} foreground classes. */
    public static RoiTargets mmdetection(int numClasses) {
        return new RoiTargets(new MaxIoUAssigner(0.5f, 0.5f, 0.5f, true, false), new PositiveFirstSampler(512, 0.25),
                new DeltaXYWHCoder(new float[] {0, 0, 0, 0}, new float[] {0.1f, 0.1f, 0.2f, 0.2f}), numClasses);
    }

    public int numClasses() {
        return numClasses;
    }

    /** The proposals' own assignment (before the gts are added), {@code float[P * 4]} against {@code float[G * 4]}. */
    public Assignment assign(float[] proposals, float[] gts) {
        return assigner.assign(proposals, gts);
    }

    /**
     * @param proposals {@code float[P * 4]} xyxy (the RPN's, detached)
     * @param gts       {@code float[G * 4]} xyxy
     * @param labels    {@code int[G]} in {@code [0, numClasses)}
     */
    public Image targets(float[] proposals, float[] gts, int[] labels, SplittableRandom rng) {
        int p = Boxes.count(proposals, "proposals");
        int g = Boxes.count(gts, "gts");
        if (labels.length != g) {
            throw new IllegalArgumentException(labels.length + " labels for " + g + " gts");
        }
        for (int l : labels) {
            if (l < 0 || l >= numClasses) {
                throw new IllegalArgumentException("label " + l + " outside [0, " + numClasses + ")");
            }
        }
        Assignment own = assigner.assign(proposals, gts);
        float[] boxes = new float[(g + p) * 4];
        System.arraycopy(gts, 0, boxes, 0, 4 * g);
        System.arraycopy(proposals, 0, boxes, 4 * g, 4 * p);
        int[] gtIndex = new int[g + p];
        float[] overlap = new float[g + p];
        for (int i = 0; i < g; i++) {
            gtIndex[i] = i;
            overlap[i] = 1f;
        }
        System.arraycopy(own.gtIndex(), 0, gtIndex, g, p);
        System.arraycopy(own.maxOverlap(), 0, overlap, g, p);
        Assignment all = new Assignment(gtIndex, overlap);
        Sample s = sampler.sample(all, rng);
        int[] order = s.all();
        int numPos = s.positives().length;
        float[] rois = new float[order.length * 4];
        int[] roiLabels = new int[order.length];
        int[] posGt = new int[numPos];
        float[] matched = new float[numPos * 4];
        for (int i = 0; i < order.length; i++) {
            System.arraycopy(boxes, 4 * order[i], rois, 4 * i, 4);
            if (i < numPos) {
                posGt[i] = gtIndex[order[i]];
                roiLabels[i] = labels[posGt[i]];
                System.arraycopy(gts, 4 * posGt[i], matched, 4 * i, 4);
            } else {
                roiLabels[i] = numClasses;
            }
        }
        float[] posTargets = coder.encode(java.util.Arrays.copyOf(rois, 4 * numPos), matched);
        return new Image(rois, roiLabels, numPos, posGt, posTargets);
    }

    /**
     * One image's sampled RoIs and their targets.
     *
     * @param rois       {@code float[S * 4]} xyxy: sampled positives first, then negatives
     * @param labels     {@code int[S]}: the class of a positive, {@code numClasses} for a negative
     * @param numPos     how many of the first RoIs are positives
     * @param posGt      {@code int[numPos]}: each positive's gt
     * @param posTargets {@code float[numPos * 4]}: each positive's delta targets
     */
    public record Image(float[] rois, int[] labels, int numPos, int[] posGt, float[] posTargets) {
        public int size() {
            return labels.length;
        }
    }
}
