package org.aligndet.trainer.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.aligndet.trainer.assign.FcosAssigner;
import org.aligndet.trainer.assign.FcosTargets;
import org.aligndet.trainer.loss.BceWithLogitsLoss;
import org.aligndet.trainer.loss.GIoULoss;
import org.aligndet.trainer.loss.IoULoss;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.loss.SigmoidFocalLoss;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.prior.PointGenerator;
import org.aligndet.trainer.spec.Family;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * FCOS's supervised loss with mmdetection v2 {@code FCOSHead.loss} semantics:
 * <ol>
 *   <li>points per level ({@link PointGenerator}) are assigned to gts by the {@link FcosAssigner}
 *       (regress ranges, centre sampling, targets {@code (l, t, r, b)} in stride units when
 *       {@code norm_on_bbox}); {@code numPos} counts the positives of the whole batch;</li>
 *   <li>{@code loss_cls}: sigmoid focal loss (0.25 / 2) over every point and class, one-hot targets for
 *       positives, zeros for background, divided by {@code max(numPos, 1)};</li>
 *   <li>{@code loss_bbox}: IoU loss between the boxes decoded at each positive's point
 *       ({@code (x - l, y - t, x + r, y + b)}, point in pixels, distances as the head outputs them,
 *       as mmdetection does) from the prediction and from the target, weighted by the centre-ness
 *       targets, divided by {@code max(sum of centre-ness targets, 1e-6)};</li>
 *   <li>{@code loss_centerness}: BCE with logits between the centre-ness outputs of positives and their
 *       centre-ness targets, divided by {@code max(numPos, 1)};</li>
 *   <li>no positive in the batch: {@code loss_bbox} and {@code loss_centerness} are zeros with zero
 *       gradients.</li>
 * </ol>
 * The IoU variant is a {@link BoxLoss}: {@link BoxLoss#GIOU} (the center-normbbox-centeronreg-giou
 * config our specs follow; 1 - GIoU) or {@link BoxLoss#IOU} (the original FCOS config; {@code -log IoU}).
 * {@link #fromSpec} reads {@code head.loss_bbox} ({@code "giou"} or {@code "iou"}), GIoU when absent.
 * Arrays made on the way belong to the logits' manager; run a step inside an {@code NDScope} (or a
 * sub-manager) so they are freed. Targets are computed on the host from the shapes alone. Loss weights are 1.
 */
public final class FcosLoss {
    public static final String LOSS_CLS = "loss_cls";
    public static final String LOSS_BBOX = "loss_bbox";
    public static final String LOSS_CENTERNESS = "loss_centerness";
    /** Lower bound of the centre-ness normaliser (mmdetection's). */
    public static final double CENTERNESS_DENORM_MIN = 1e-6;

    /** Which IoU loss regresses the boxes. */
    public enum BoxLoss {
        /** mmdetection {@code IoULoss}, mode log: {@code -log(max(IoU, 1e-6))}. */
        IOU,
        /** mmdetection {@code GIoULoss}: {@code 1 - GIoU}. */
        GIOU;

        public static BoxLoss parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    private final PointGenerator points;
    private final FcosAssigner assigner;
    private final SigmoidFocalLoss focal;
    private final BoxLoss boxLoss;
    private final int numClasses;
    private final BceWithLogitsLoss bce = new BceWithLogitsLoss();

    public FcosLoss(PointGenerator points, FcosAssigner assigner, SigmoidFocalLoss focal, BoxLoss boxLoss, int numClasses) {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        this.points = points;
        this.assigner = assigner;
        this.focal = focal;
        this.boxLoss = boxLoss;
        this.numClasses = numClasses;
    }

    /**
     * From an FCOS spec: strides, {@code regress_ranges}, {@code center_sampling}, {@code center_sample_radius},
     * {@code norm_on_bbox}, {@code loss_bbox} (optional, default giou), {@code num_classes}.
     */
    public static FcosLoss fromSpec(ModelSpec spec) {
        if (spec.family() != Family.FCOS) {
            throw new IllegalArgumentException(spec.name() + ": not an FCOS spec (" + spec.family().id() + ")");
        }
        JsonNode h = spec.section("head");
        int[] strides = spec.strides().stream().mapToInt(Integer::intValue).toArray();
        JsonNode rr = h.path("regress_ranges");
        if (rr.size() != strides.length) {
            throw new IllegalArgumentException(spec.file() + ": head.regress_ranges has " + rr.size()
                    + " ranges for " + strides.length + " strides");
        }
        float[][] ranges = new float[strides.length][];
        for (int l = 0; l < strides.length; l++) {
            ranges[l] = new float[] {(float) rr.get(l).get(0).asDouble(), (float) rr.get(l).get(1).asDouble()};
        }
        FcosAssigner assigner = new FcosAssigner(strides, ranges, h.path("center_sampling").asBoolean(false),
                (float) h.path("center_sample_radius").asDouble(1.5), h.path("norm_on_bbox").asBoolean(false));
        BoxLoss box;
        try {
            box = BoxLoss.parse(h.path("loss_bbox").asText("giou"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(spec.file() + ": head.loss_bbox must be 'iou' or 'giou', got '"
                    + h.path("loss_bbox").asText() + "'");
        }
        return new FcosLoss(new PointGenerator(strides), assigner, new SigmoidFocalLoss(), box, spec.numClasses());
    }

    public BoxLoss boxLoss() {
        return boxLoss;
    }

    /**
     * The targets of a batch, rows in the level-major order of {@link HeadOutputs#flatten}.
     *
     * @param labels     per row: class in {@code [0, K)} or K (background)
     * @param posRows    rows of the positive points, image by image, ascending points
     * @param posPoints  {@code float[M*2]}: their {@code (x, y)} in pixels
     * @param posTargets {@code float[M*4]}: their {@code (l, t, r, b)} targets (stride units when normalised)
     * @param centerness {@code float[M]}: their centre-ness targets, in (0, 1]
     * @param numPos     {@code M}
     */
    public record Targets(int[] labels, long[] posRows, float[] posPoints, float[] posTargets, float[] centerness,
                          int numPos) {
    }

    public Targets targets(PriorLayout layout, List<GtBoxes> gts) {
        if (layout.anchors() != 1 || layout.levels() != points.numLevels()) {
            throw new IllegalArgumentException("layout has " + layout.levels() + " levels x " + layout.anchors()
                    + " priors per location; FCOS needs " + points.numLevels() + " x 1");
        }
        int n = layout.batch();
        if (gts.size() != n) {
            throw new IllegalArgumentException("batch of " + n + " images but " + gts.size() + " gt lists");
        }
        float[][] lvl = new float[layout.levels()][];
        for (int l = 0; l < lvl.length; l++) {
            lvl[l] = points.points(l, layout.height(l), layout.width(l));
        }
        int[] labels = new int[n * layout.priorsPerImage()];
        Arrays.fill(labels, numClasses);
        int total = 0;
        FcosTargets[] per = new FcosTargets[n];
        for (int b = 0; b < n; b++) {
            per[b] = assigner.assign(lvl, gts.get(b).xyxy());
            total += per[b].positives().length;
        }
        long[] rows = new long[total];
        float[] pts = new float[2 * total];
        float[] targets = new float[4 * total];
        int k = 0;
        for (int b = 0; b < n; b++) {
            int[] pos = per[b].positives();
            for (int i : pos) {
                rows[k] = layout.boxRow(b, i);
                labels[(int) rows[k]] = gts.get(b).label(per[b].gtIndex()[i]);
                int l = layout.levelOf(i), local = i - layout.levelStart(l);
                pts[2 * k] = lvl[l][2 * local];
                pts[2 * k + 1] = lvl[l][2 * local + 1];
                k++;
            }
            System.arraycopy(per[b].targetsOf(pos), 0, targets, 4 * (k - pos.length), 4 * pos.length);
        }
        return new Targets(labels, rows, pts, targets, FcosAssigner.centerness(targets), total);
    }

    /**
     * @param head   the head's outputs: {@code boxOut} {@code [N, 4, H_l, W_l]} distances as the head
     *               emits them in training (non-negative; stride units when normalised), {@code centerness}
     *               {@code [N, 1, H_l, W_l]} logits
     * @param logits the classifier's outputs per level {@code [N, K, H_l, W_l]}
     * @param gts    per image, in the input's pixel frame
     * @return {@code loss_cls}, {@code loss_bbox}, {@code loss_centerness}
     */
    public LossTerms compute(HeadOutputs head, List<NDArray> logits, List<GtBoxes> gts) {
        PriorLayout layout = head.layout();
        NDArray cls = DenseMaps.flatten(logits, layout, numClasses, "logits"); // [R, K]
        NDArray box = DenseMaps.flatten(head.boxOut(), layout, 4, "box_out"); // [R, 4]
        NDArray ctr = DenseMaps.flatten(head.centerness(), layout, 1, "centerness"); // [R, 1]
        Targets t = targets(layout, gts);
        NDManager m = cls.getManager();
        double numPos = Math.max(t.numPos(), 1);
        NDArray lossCls = focal.compute(cls, DenseMaps.oneHot(m, t.labels(), numClasses), null, numPos);
        LossTerms terms = new LossTerms().put(LOSS_CLS, lossCls);
        if (t.numPos() == 0) {
            return terms.put(LOSS_BBOX, DenseMaps.zeroLoss(box)).put(LOSS_CENTERNESS, DenseMaps.zeroLoss(ctr));
        }
        int mPos = t.numPos();
        NDArray ctrTarget = m.create(t.centerness());
        double denorm = Math.max(sum(t.centerness()), CENTERNESS_DENORM_MIN);
        // decoded at the point: (x, y, x, y) + (-l, -t, r, b)
        float[] origin = new float[4 * mPos];
        float[] targetBoxes = new float[4 * mPos];
        for (int i = 0; i < mPos; i++) {
            float x = t.posPoints()[2 * i], y = t.posPoints()[2 * i + 1];
            float[] d = t.posTargets();
            origin[4 * i] = x;
            origin[4 * i + 1] = y;
            origin[4 * i + 2] = x;
            origin[4 * i + 3] = y;
            targetBoxes[4 * i] = x - d[4 * i];
            targetBoxes[4 * i + 1] = y - d[4 * i + 1];
            targetBoxes[4 * i + 2] = x + d[4 * i + 2];
            targetBoxes[4 * i + 3] = y + d[4 * i + 3];
        }
        Shape s = new Shape(mPos, 4);
        NDArray sign = m.create(new float[] {-1f, -1f, 1f, 1f}, new Shape(1, 4));
        NDArray predBoxes = m.create(origin, s).add(DenseMaps.rows(box, t.posRows()).mul(sign));
        NDArray targetArr = m.create(targetBoxes, s);
        NDArray lossBox = boxLoss == BoxLoss.GIOU
                ? new GIoULoss().compute(predBoxes, targetArr, ctrTarget, denorm)
                : new IoULoss().compute(predBoxes, targetArr, ctrTarget, denorm);
        NDArray posCtr = DenseMaps.rows(ctr, t.posRows()).reshape(mPos);
        NDArray lossCtr = bce.compute(posCtr, ctrTarget, null, numPos);
        return terms.put(LOSS_BBOX, lossBox).put(LOSS_CENTERNESS, lossCtr);
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }
}
