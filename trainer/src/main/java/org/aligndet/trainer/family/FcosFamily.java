package org.aligndet.trainer.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.aligndet.trainer.assign.FcosAssigner;
import org.aligndet.trainer.assign.FcosTargets;
import org.aligndet.trainer.infer.DensePostprocess;
import org.aligndet.trainer.infer.PostprocessConfig;
import org.aligndet.trainer.loss.BceWithLogitsLoss;
import org.aligndet.trainer.loss.GIoULoss;
import org.aligndet.trainer.loss.IoULoss;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.model.DenseMaps;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.prior.PointGenerator;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.PointHeadSpec;

/**
 * FCOS's rules, mmdetection v2 {@code FCOSHead}: points at {@code x * stride + stride / 2}; the
 * {@link FcosAssigner} (regress ranges, centre sampling, targets {@code (l, t, r, b)} in strides when
 * {@code norm_on_bbox}); an IoU loss on the boxes decoded at each positive's point, weighted by the
 * centre-ness targets and divided by their sum (at least 1e-6); centre-ness BCE divided by the
 * normaliser given; distance decoding at inference.
 */
public final class FcosFamily implements DenseFamily {
    public static final String LOSS_BBOX = "loss_bbox";
    public static final String LOSS_CENTERNESS = "loss_centerness";
    /** Lower bound of the centre-ness normaliser (mmdetection's). */
    public static final double CENTERNESS_DENORM_MIN = 1e-6;

    private final ModelSpec spec;
    private final PointGenerator points;
    private final FcosAssigner assigner;
    private final boolean normOnBbox;
    private final BoxIoULoss pretrainLoss;
    private final BoxIoULoss finetuneLoss;
    private final PostprocessConfig test;
    private final PriorCache priors;
    private final BceWithLogitsLoss bce = new BceWithLogitsLoss();

    /** @param test the test-time settings, or {@code null} when nothing decodes (tests of training rules) */
    public FcosFamily(ModelSpec spec, PointGenerator points, FcosAssigner assigner, boolean normOnBbox,
                      BoxIoULoss pretrainLoss, BoxIoULoss finetuneLoss, PostprocessConfig test) {
        this.spec = spec;
        this.points = points;
        this.assigner = assigner;
        this.normOnBbox = normOnBbox;
        this.pretrainLoss = pretrainLoss;
        this.finetuneLoss = finetuneLoss;
        this.test = test;
        this.priors = new PriorCache(points::points);
    }

    static FcosFamily fromSpec(ModelSpec spec) {
        PointHeadSpec h = spec.pointHead();
        FcosAssigner assigner = new FcosAssigner(h.strides(), h.regressRanges(), h.centerSampling(),
                h.centerSampleRadius(), h.normOnBbox());
        return new FcosFamily(spec, new PointGenerator(h.strides()), assigner, h.normOnBbox(),
                BoxIoULoss.parse(spec.pretrain().boxLoss(), spec.file() + ": pretrain.loss_bbox"),
                BoxIoULoss.parse(spec.supervisedBoxLoss(), spec.file() + ": head.loss_bbox"), PostprocessConfig.from(spec));
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    /** The box loss of a stage. */
    public BoxIoULoss boxLoss(Stage stage) {
        return stage == Stage.PRETRAIN ? pretrainLoss : finetuneLoss;
    }

    @Override
    public int priorsPerLocation() {
        return 1;
    }

    @Override
    public int headGroups() {
        return 3;
    }

    @Override
    public int projectorKernel() {
        return 3;
    }

    @Override
    public String classifierWeight() {
        return "bbox_head.conv_cls.weight";
    }

    @Override
    public String classifierBias() {
        return "bbox_head.conv_cls.bias";
    }

    @Override
    public float[][] priors(PriorLayout layout) {
        checkLayout(layout);
        return priors.perLevel(layout);
    }

    /** Points take no valid flags (mmdetection's FCOS does not use them): {@code padShape} is ignored. */
    @Override
    public ImageTargets assign(PriorLayout layout, float[] gtXyxy, int[] padShape) {
        FcosTargets t = assigner.assign(priors(layout), gtXyxy);
        int[] pos = t.positives();
        return new ImageTargets(t.gtIndex(), pos, t.targetsOf(pos));
    }

    @Override
    public PositiveTargets positives(PriorLayout layout, int[] images, int[] priorIdx, float[] targets) {
        float[][] lvl = priors(layout);
        int m = images.length;
        long[] rows = new long[m];
        float[] pts = new float[2 * m];
        for (int i = 0; i < m; i++) {
            rows[i] = layout.boxRow(images[i], priorIdx[i]);
            int l = layout.levelOf(priorIdx[i]);
            int local = priorIdx[i] - layout.levelStart(l);
            pts[2 * i] = lvl[l][2 * local];
            pts[2 * i + 1] = lvl[l][2 * local + 1];
        }
        return new PositiveTargets(rows, targets, pts, FcosAssigner.centerness(targets));
    }

    @Override
    public RegressionLoss regressionLoss(Stage stage) {
        BoxIoULoss kind = boxLoss(stage);
        return (head, pos, avgFactor) -> compute(head, pos, avgFactor, kind);
    }

    private LossTerms compute(HeadOutputs head, PositiveTargets pos, double avgFactor, BoxIoULoss kind) {
        PriorLayout layout = head.layout();
        NDArray box = DenseMaps.flatten(head.boxOut(), layout, 4, "box_out"); // [R, 4]
        NDArray ctr = DenseMaps.flatten(head.centerness(), layout, 1, "centerness"); // [R, 1]
        LossTerms terms = new LossTerms();
        int m = pos.size();
        if (m == 0) {
            return terms.put(LOSS_BBOX, DenseMaps.zeroLoss(box)).put(LOSS_CENTERNESS, DenseMaps.zeroLoss(ctr));
        }
        NDManager nd = box.getManager();
        NDArray ctrTarget = nd.create(pos.centerness());
        double denorm = Math.max(sum(pos.centerness()), CENTERNESS_DENORM_MIN);
        // decoded at the point: (x, y, x, y) + (-l, -t, r, b)
        float[] origin = new float[4 * m];
        float[] targetBoxes = new float[4 * m];
        float[] d = pos.targets();
        for (int i = 0; i < m; i++) {
            float x = pos.points()[2 * i], y = pos.points()[2 * i + 1];
            origin[4 * i] = x;
            origin[4 * i + 1] = y;
            origin[4 * i + 2] = x;
            origin[4 * i + 3] = y;
            targetBoxes[4 * i] = x - d[4 * i];
            targetBoxes[4 * i + 1] = y - d[4 * i + 1];
            targetBoxes[4 * i + 2] = x + d[4 * i + 2];
            targetBoxes[4 * i + 3] = y + d[4 * i + 3];
        }
        Shape s = new Shape(m, 4);
        NDArray sign = nd.create(new float[] {-1f, -1f, 1f, 1f}, new Shape(1, 4));
        NDArray predBoxes = nd.create(origin, s).add(DenseMaps.rows(box, pos.rows()).mul(sign));
        NDArray targetArr = nd.create(targetBoxes, s);
        NDArray lossBox = kind == BoxIoULoss.GIOU
                ? new GIoULoss().compute(predBoxes, targetArr, ctrTarget, denorm)
                : new IoULoss().compute(predBoxes, targetArr, ctrTarget, denorm);
        NDArray posCtr = DenseMaps.rows(ctr, pos.rows()).reshape(m);
        return terms.put(LOSS_BBOX, lossBox).put(LOSS_CENTERNESS, bce.compute(posCtr, ctrTarget, null, avgFactor));
    }

    @Override
    public double avgFactor(int[] positivesPerImage) {
        int total = 0;
        for (int n : positivesPerImage) {
            total += n;
        }
        return Math.max(total, 1);
    }

    @Override
    public DensePostprocess postprocess() {
        if (test == null) {
            throw new IllegalStateException(spec.name() + ": no test settings to decode with");
        }
        return DensePostprocess.fcos(spec.numClasses(), points.strides(), normOnBbox, test);
    }

    private void checkLayout(PriorLayout layout) {
        if (layout.anchors() != 1 || layout.levels() != points.numLevels()) {
            throw new IllegalArgumentException("layout has " + layout.levels() + " levels x " + layout.anchors()
                    + " priors per location; " + spec.name() + " needs " + points.numLevels() + " x 1");
        }
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }
}
