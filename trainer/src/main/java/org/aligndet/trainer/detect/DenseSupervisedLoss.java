package org.aligndet.trainer.detect;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aligndet.trainer.assign.Assignment;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.ImageTargets;
import org.aligndet.trainer.family.PositiveTargets;
import org.aligndet.trainer.family.RegressionLoss;
import org.aligndet.trainer.family.Stage;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.run.StepSections;
import org.aligndet.trainer.loss.SigmoidFocalLoss;
import org.aligndet.trainer.model.DenseMaps;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.PriorLayout;

/**
 * The supervised loss of a dense detector, mmdetection v2 semantics, with the family's own rules:
 * <ol>
 *   <li>each image's priors are assigned to its boxes by {@link DenseFamily#assign} (RetinaNet: max-IoU
 *       over the anchors inside the image's padded extent, IoU in [0.4, 0.5) ignored; FCOS: points
 *       inside the (centre-sampled) box within the level's range);</li>
 *   <li>{@code loss_cls}: sigmoid focal loss (0.25 / 2) over every non-ignored prior and class, one-hot
 *       targets for positives, zeros for background, divided by {@link DenseFamily#avgFactor};</li>
 *   <li>the family's fine-tuning {@link RegressionLoss} on the positives with the same normaliser
 *       (RetinaNet L1 on deltas; FCOS IoU/GIoU weighted by centre-ness plus centre-ness BCE).</li>
 * </ol>
 * Crowd / ignored gts are dropped by the caller ({@link GtBoxes#trainable}). Arrays made on the way
 * belong to the logits' manager; run a step inside a sub-manager so they are freed.
 */
public final class DenseSupervisedLoss {
    public static final String LOSS_CLS = "loss_cls";

    private final DenseFamily family;
    private final SigmoidFocalLoss focal;
    private final RegressionLoss regression;
    private final int numClasses;
    private final ThreadLocal<int[]> labels = ThreadLocal.withInitial(() -> new int[0]);
    /** Per thread, per image of the batch: the gt indices array the next assignment may write into. */
    private final ThreadLocal<int[][]> gtIndices = ThreadLocal.withInitial(() -> new int[0][]);

    /** @param numClasses K, the classifier's outputs per prior (no background class) */
    public DenseSupervisedLoss(DenseFamily family, SigmoidFocalLoss focal, int numClasses) {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        this.family = family;
        this.focal = focal;
        this.regression = family.regressionLoss(Stage.FINETUNE);
        this.numClasses = numClasses;
    }

    /** The family's loss with focal 0.25 / 2 and the spec's classes. */
    public static DenseSupervisedLoss of(DenseFamily family) {
        return new DenseSupervisedLoss(family, new SigmoidFocalLoss(), family.spec().numClasses());
    }

    /**
     * The targets of a batch, rows in the level-major order of {@link HeadOutputs#flatten}.
     *
     * @param labels      per row {@code R = N * priorsPerImage}: class in {@code [0, K)}, or K (background)
     * @param ignoredRows the rows of ignored priors (no loss), ascending within each image, image by image
     * @param positives   the positives, image by image, ascending priors
     * @param numPos      positives per image
     * @param avgFactor   the family's normaliser
     */
    public record Targets(int[] labels, int[] ignoredRows, PositiveTargets positives, int[] numPos, double avgFactor) {
    }

    /** @param padShapes per image {@code {height, width}} of its own padded input, or {@code null}: every prior valid */
    public Targets targets(PriorLayout layout, List<GtBoxes> gts, List<int[]> padShapes) {
        return targets(layout, gts, padShapes, new int[layout.batch() * layout.priorsPerImage()], null);
    }

    /**
     * @param labels {@code R} entries, overwritten: {@link Targets#labels()}
     * @param reuse  per image, an array the assignment may write its gt indices into (see
     *               {@link DenseFamily#assign(PriorLayout, float[], int[], int[])}), replaced by the
     *               one it used; or {@code null}
     */
    private Targets targets(PriorLayout layout, List<GtBoxes> gts, List<int[]> padShapes, int[] labels, int[][] reuse) {
        int n = layout.batch();
        if (gts.size() != n || (padShapes != null && padShapes.size() != n)) {
            throw new IllegalArgumentException("batch of " + n + " images but " + gts.size() + " gt lists"
                    + (padShapes == null ? "" : " and " + padShapes.size() + " pad shapes"));
        }
        int p = layout.priorsPerImage();
        Arrays.fill(labels, numClasses);
        int[] numPos = new int[n];
        List<int[]> images = new ArrayList<>();
        List<int[]> priors = new ArrayList<>();
        List<float[]> targets = new ArrayList<>();
        // the images' assignments are independent and pure: computed in parallel (libtorch waits for them anyway)
        ImageTargets[] assigned = java.util.stream.IntStream.range(0, n).parallel()
                .mapToObj(b -> family.assign(layout, gts.get(b).xyxy(), padShapes == null ? null : padShapes.get(b),
                        reuse == null ? null : reuse[b]))
                .toArray(ImageTargets[]::new);
        if (reuse != null) {
            for (int b = 0; b < n; b++) {
                reuse[b] = assigned[b].gtIndex(); // read only below, in this call
            }
        }
        int numIgnored = 0;
        for (ImageTargets t : assigned) {
            for (int gi : t.gtIndex()) {
                numIgnored += gi == Assignment.IGNORED ? 1 : 0;
            }
        }
        int[] ignored = new int[numIgnored];
        numIgnored = 0;
        for (int b = 0; b < n; b++) {
            GtBoxes g = gts.get(b);
            ImageTargets t = assigned[b];
            for (int i = 0; i < p; i++) {
                int row = (int) layout.boxRow(b, i);
                int gi = t.gtIndex()[i];
                if (gi >= 0) {
                    labels[row] = g.label(gi);
                } else if (gi == Assignment.IGNORED) {
                    ignored[numIgnored++] = row;
                }
            }
            int[] img = new int[t.positives().length];
            Arrays.fill(img, b);
            images.add(img);
            priors.add(t.positives());
            targets.add(t.targets());
            numPos[b] = t.positives().length;
        }
        PositiveTargets pos = family.positives(layout, concat(images), concat(priors), org.aligndet.trainer.box.Boxes.concat(targets));
        return new Targets(labels, ignored, pos, numPos, family.avgFactor(numPos));
    }

    /**
     * @param head      the head's outputs
     * @param logits    the classifier's outputs per level {@code [N, A*K, H_l, W_l]}
     * @param gts       per image, in the input's pixel frame
     * @param padShapes per image {@code {height, width}}, or {@code null}; see {@link #targets}
     * @return {@code loss_cls} and the family's regression terms, scalars whose gradients reach the head
     */
    public LossTerms compute(HeadOutputs head, List<NDArray> logits, List<GtBoxes> gts, List<int[]> padShapes) {
        PriorLayout layout = head.layout();
        NDArray cls = DenseMaps.flatten(logits, layout, numClasses, "logits"); // [R, K]
        long mark = StepSections.mark();
        Targets t = targets(layout, gts, padShapes, labelsOfThisThread(layout.batch() * layout.priorsPerImage()),
                gtIndicesOfThisThread(layout.batch()));
        mark = StepSections.lap("targets", mark);
        // from the labels: a dense one-hot target and weight would cost [R, K] arrays on both passes
        LossTerms terms = new LossTerms().put(LOSS_CLS, focal.compute(cls, t.labels(), t.ignoredRows(), t.avgFactor()));
        regression.compute(head, t.positives(), t.avgFactor()).terms().forEach(terms::put);
        StepSections.lap("losses", mark);
        return terms;
    }

    /**
     * The labels array {@link #compute} fills, kept per thread for the next step of the same shape: at
     * R50 it is 2 x 163k rows, 1.3 MB of Java heap a step otherwise (the focal loss reads it before
     * {@code compute} returns, and nothing keeps it after).
     */
    private int[] labelsOfThisThread(int rows) {
        int[] l = labels.get();
        if (l.length != rows) {
            l = new int[rows];
            labels.set(l);
        }
        return l;
    }

    /** This thread's per-image gt index arrays for {@link #compute}, one slot per image of the batch. */
    private int[][] gtIndicesOfThisThread(int images) {
        int[][] g = gtIndices.get();
        if (g.length < images) {
            g = java.util.Arrays.copyOf(g, images);
            gtIndices.set(g);
        }
        return g;
    }

    private static int[] concat(List<int[]> parts) {
        return parts.stream().flatMapToInt(Arrays::stream).toArray();
    }
}
