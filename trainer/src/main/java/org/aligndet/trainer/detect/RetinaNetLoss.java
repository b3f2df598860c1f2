package org.aligndet.trainer.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import org.aligndet.trainer.assign.Assignment;
import org.aligndet.trainer.assign.MaxIoUAssigner;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.loss.L1Loss;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.loss.SigmoidFocalLoss;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.spec.Family;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * RetinaNet's supervised loss with mmdetection v2 {@code RetinaHead} semantics (train_cfg: MaxIoUAssigner
 * 0.5 / 0.4 / 0 with low-quality matches, PseudoSampler, {@code allowed_border = -1}):
 * <ol>
 *   <li>anchors per level from the {@link AnchorGenerator}; per image, anchors whose location lies outside
 *       {@code ceil(padShape / stride)} are invalid (mmdetection's valid flags; all valid without pad
 *       shapes) and take no loss;</li>
 *   <li>the valid anchors are assigned to the image's {@link GtBoxes}: positives learn their gt's class,
 *       negatives all-zero targets, ignored anchors (IoU in [0.4, 0.5)) take no loss;</li>
 *   <li>{@code loss_cls}: sigmoid focal loss summed over positive and negative anchors, all classes;</li>
 *   <li>{@code loss_bbox}: L1 between predicted deltas and the gts encoded against their anchors
 *       ({@link DeltaXYWHCoder}), positives only;</li>
 *   <li>both divided by {@code avgFactor = sum over images of max(#positives, 1)} (mmdetection v2's
 *       {@code num_total_pos}; an image without positives counts 1).</li>
 * </ol>
 * Arrays made on the way belong to the logits' manager; run a step inside an {@code NDScope} (or a
 * sub-manager) so they are freed. Targets are computed on the host from the shapes alone. Loss weights are 1; {@link LossTerms#weighted} applies others. Crowd / ignored gts are dropped by the
 * caller ({@link GtBoxes#trainable}): with {@code ignore_iof_thr = -1} mmdetection does not use them either.
 */
public final class RetinaNetLoss {
    public static final String LOSS_CLS = "loss_cls";
    public static final String LOSS_BBOX = "loss_bbox";

    private final AnchorGenerator anchors;
    private final MaxIoUAssigner assigner;
    private final DeltaXYWHCoder coder;
    private final SigmoidFocalLoss focal;
    private final L1Loss l1 = new L1Loss();
    private final int numClasses;

    /** @param numClasses K, the classifier's outputs per anchor (no background class) */
    public RetinaNetLoss(AnchorGenerator anchors, MaxIoUAssigner assigner, DeltaXYWHCoder coder,
                         SigmoidFocalLoss focal, int numClasses) {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        this.anchors = anchors;
        this.assigner = assigner;
        this.coder = coder;
        this.focal = focal;
        this.numClasses = numClasses;
    }

    /** From a RetinaNet spec: {@code head.anchor}, {@code head.bbox_coder}, {@code num_classes}; focal 0.25 / 2. */
    public static RetinaNetLoss fromSpec(ModelSpec spec) {
        if (spec.family() != Family.RETINANET) {
            throw new IllegalArgumentException(spec.name() + ": not a RetinaNet spec (" + spec.family().id() + ")");
        }
        JsonNode a = spec.section("head").path("anchor");
        JsonNode c = spec.section("head").path("bbox_coder");
        double[] ratios = new double[a.path("ratios").size()];
        Arrays.setAll(ratios, i -> a.path("ratios").get(i).asDouble());
        int[] strides = spec.strides().stream().mapToInt(Integer::intValue).toArray();
        AnchorGenerator gen = new AnchorGenerator(a.path("octave_base_scale").asDouble(4), a.path("scales_per_octave").asInt(3),
                ratios, strides, a.path("center_offset").asDouble(0));
        DeltaXYWHCoder coder = c.isMissingNode() ? DeltaXYWHCoder.unit()
                : new DeltaXYWHCoder(floats(c.path("target_means"), 0f), floats(c.path("target_stds"), 1f));
        return new RetinaNetLoss(gen, MaxIoUAssigner.retinaNet(), coder, new SigmoidFocalLoss(), spec.numClasses());
    }

    /**
     * The targets of a batch, rows in the level-major order of {@link HeadOutputs#flatten}.
     *
     * @param labels       per row {@code R = N * priorsPerImage}: class in {@code [0, K)}, or K (background)
     * @param labelWeights per row: 1 for positives and negatives, 0 for ignored and invalid anchors
     * @param posRows      rows of the positive anchors, image by image, ascending priors
     * @param posDeltas    {@code float[M*4]}: encoded gt deltas of those rows
     * @param numPos       positives per image
     * @param avgFactor    {@code sum_b max(numPos[b], 1)}
     */
    public record Targets(int[] labels, float[] labelWeights, long[] posRows, float[] posDeltas, int[] numPos,
                          double avgFactor) {
    }

    /**
     * @param padShapes per image {@code {height, width}} of its own padded input (before batch padding),
     *                  or {@code null}: every anchor valid
     */
    public Targets targets(PriorLayout layout, List<GtBoxes> gts, List<int[]> padShapes) {
        if (layout.anchors() != anchors.numAnchors() || layout.levels() != anchors.numLevels()) {
            throw new IllegalArgumentException("layout has " + layout.levels() + " levels x " + layout.anchors()
                    + " anchors, generator " + anchors.numLevels() + " x " + anchors.numAnchors());
        }
        int n = layout.batch();
        if (gts.size() != n || (padShapes != null && padShapes.size() != n)) {
            throw new IllegalArgumentException("batch of " + n + " images but " + gts.size() + " gt lists"
                    + (padShapes == null ? "" : " and " + padShapes.size() + " pad shapes"));
        }
        int p = layout.priorsPerImage();
        float[] priors = allAnchors(layout);
        int[] labels = new int[n * p];
        Arrays.fill(labels, numClasses);
        float[] weights = new float[n * p];
        long[] posRows = new long[0];
        float[] posDeltas = new float[0];
        int[] numPos = new int[n];
        double avg = 0;
        for (int b = 0; b < n; b++) {
            GtBoxes g = gts.get(b);
            int[] valid = padShapes == null ? null : validPriors(layout, padShapes.get(b));
            int[] gtIndex = assign(priors, valid, g, p);
            int[] pos = Arrays.stream(range(p)).filter(i -> gtIndex[i] >= 0).toArray();
            float[] posAnchors = new float[4 * pos.length];
            float[] posGts = new float[4 * pos.length];
            long[] rows = new long[pos.length];
            for (int i = 0; i < p; i++) {
                if (gtIndex[i] != Assignment.IGNORED) {
                    weights[(int) layout.boxRow(b, i)] = 1f;
                }
            }
            for (int k = 0; k < pos.length; k++) {
                int gi = gtIndex[pos[k]];
                rows[k] = layout.boxRow(b, pos[k]);
                labels[(int) rows[k]] = g.label(gi);
                System.arraycopy(priors, 4 * pos[k], posAnchors, 4 * k, 4);
                System.arraycopy(g.xyxy(), 4 * gi, posGts, 4 * k, 4);
            }
            posRows = concat(posRows, rows);
            posDeltas = concat(posDeltas, coder.encode(posAnchors, posGts));
            numPos[b] = pos.length;
            avg += Math.max(pos.length, 1);
        }
        return new Targets(labels, weights, posRows, posDeltas, numPos, avg);
    }

    /** {@link #compute(HeadOutputs, List, List, List)} with every anchor valid (images of equal padded size). */
    public LossTerms compute(HeadOutputs head, List<NDArray> logits, List<GtBoxes> gts) {
        return compute(head, logits, gts, null);
    }

    /**
     * @param head      the head's outputs; {@code boxOut} per level {@code [N, A*4, H_l, W_l]} deltas
     * @param logits    the classifier's outputs per level {@code [N, A*K, H_l, W_l]}
     * @param gts       per image, in the input's pixel frame
     * @param padShapes per image {@code {height, width}}, or {@code null}; see {@link #targets}
     * @return {@code loss_cls}, {@code loss_bbox}: scalars whose gradients reach {@code logits} and {@code boxOut}
     */
    public LossTerms compute(HeadOutputs head, List<NDArray> logits, List<GtBoxes> gts, List<int[]> padShapes) {
        PriorLayout layout = head.layout();
        NDArray cls = DenseMaps.flatten(logits, layout, numClasses, "logits"); // [R, K]
        NDArray box = DenseMaps.flatten(head.boxOut(), layout, 4, "box_out"); // [R, 4]
        Targets t = targets(layout, gts, padShapes);
        NDManager m = cls.getManager();
        NDArray onehot = DenseMaps.oneHot(m, t.labels(), numClasses);
        NDArray weight = m.create(t.labelWeights(), new Shape(t.labelWeights().length, 1));
        NDArray lossCls = focal.compute(cls, onehot, weight, t.avgFactor());
        NDArray lossBox;
        if (t.posRows().length == 0) {
            lossBox = DenseMaps.zeroLoss(box);
        } else {
            NDArray target = m.create(t.posDeltas(), new Shape(t.posRows().length, 4));
            lossBox = l1.compute(DenseMaps.rows(box, t.posRows()), target, null, t.avgFactor());
        }
        return new LossTerms().put(LOSS_CLS, lossCls).put(LOSS_BBOX, lossBox);
    }

    /** The anchors of one image, all levels, in prior order: {@code float[P*4]}. */
    private float[] allAnchors(PriorLayout layout) {
        float[] out = new float[4 * layout.priorsPerImage()];
        for (int l = 0; l < layout.levels(); l++) {
            float[] a = anchors.anchors(l, layout.height(l), layout.width(l));
            System.arraycopy(a, 0, out, 4 * layout.levelStart(l), a.length);
        }
        return out;
    }

    /** Priors whose location lies within {@code ceil(pad / stride)} of their level, ascending. */
    private int[] validPriors(PriorLayout layout, int[] padShape) {
        int a = layout.anchors();
        int[] out = new int[layout.priorsPerImage()];
        int k = 0;
        for (int l = 0; l < layout.levels(); l++) {
            int s = anchors.stride(l), h = layout.height(l), w = layout.width(l);
            int vh = Math.min((padShape[0] + s - 1) / s, h), vw = Math.min((padShape[1] + s - 1) / s, w);
            for (int y = 0; y < vh; y++) {
                for (int x = 0; x < vw; x++) {
                    for (int j = 0; j < a; j++) {
                        out[k++] = layout.levelStart(l) + (y * w + x) * a + j;
                    }
                }
            }
        }
        return Arrays.copyOf(out, k);
    }

    /** Gt index per prior (or BACKGROUND / IGNORED); invalid priors IGNORED; assignment on valid ones only. */
    private int[] assign(float[] priors, int[] valid, GtBoxes g, int p) {
        if (valid == null || valid.length == p) {
            return assigner.assign(priors, g.xyxy()).gtIndex();
        }
        float[] sub = new float[4 * valid.length];
        for (int k = 0; k < valid.length; k++) {
            System.arraycopy(priors, 4 * valid[k], sub, 4 * k, 4);
        }
        int[] local = assigner.assign(sub, g.xyxy()).gtIndex();
        int[] out = new int[p];
        Arrays.fill(out, Assignment.IGNORED);
        for (int k = 0; k < valid.length; k++) {
            out[valid[k]] = local[k];
        }
        return out;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        Arrays.setAll(r, i -> i);
        return r;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static float[] floats(JsonNode a, float fallback) {
        float[] v = new float[4];
        for (int i = 0; i < 4; i++) {
            v[i] = a.has(i) ? (float) a.get(i).asDouble() : fallback;
        }
        return v;
    }
}
