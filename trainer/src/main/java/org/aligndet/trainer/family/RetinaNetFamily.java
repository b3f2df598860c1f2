package org.aligndet.trainer.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.aligndet.trainer.assign.AnchorGrid;
import org.aligndet.trainer.assign.Assignment;
import org.aligndet.trainer.assign.MaxIoUAssigner;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.infer.DensePostprocess;
import org.aligndet.trainer.infer.PostprocessConfig;
import org.aligndet.trainer.loss.L1Loss;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.model.DenseMaps;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.spec.AnchorSpec;
import org.aligndet.trainer.spec.BoxCoderSpec;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * RetinaNet's rules, mmdetection v2 {@code RetinaHead}: anchors from {@link AnchorGenerator}; max-IoU
 * assignment (0.5 / 0.4 / 0, low-quality matches) over the anchors inside each image's padded
 * extent; {@link DeltaXYWHCoder} targets; L1 on deltas; delta decoding at inference.
 */
public final class RetinaNetFamily implements DenseFamily {
    public static final String LOSS_BBOX = "loss_bbox";

    private final ModelSpec spec;
    private final AnchorGenerator anchors;
    private final MaxIoUAssigner assigner;
    private final DeltaXYWHCoder coder;
    private final PostprocessConfig test;
    private final PriorCache priors;
    private final L1Loss l1 = new L1Loss();

    /** @param test the test-time settings, or {@code null} when nothing decodes (tests of training rules) */
    public RetinaNetFamily(ModelSpec spec, AnchorGenerator anchors, MaxIoUAssigner assigner, DeltaXYWHCoder coder,
                           PostprocessConfig test) {
        this.spec = spec;
        this.anchors = anchors;
        this.assigner = assigner;
        this.coder = coder;
        this.test = test;
        this.priors = new PriorCache(anchors::anchors);
    }

    static RetinaNetFamily fromSpec(ModelSpec spec) {
        AnchorSpec a = spec.anchors();
        BoxCoderSpec c = spec.boxCoder();
        return new RetinaNetFamily(spec, new AnchorGenerator(a.octaveBaseScale(), a.scalesPerOctave(), a.ratios(), a.strides(),
                a.centerOffset()), MaxIoUAssigner.retinaNet(), new DeltaXYWHCoder(c.means(), c.stds()), PostprocessConfig.from(spec));
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    public AnchorGenerator anchorGenerator() {
        return anchors;
    }

    public DeltaXYWHCoder coder() {
        return coder;
    }

    @Override
    public int priorsPerLocation() {
        return anchors.numAnchors();
    }

    @Override
    public int headGroups() {
        return 2;
    }

    @Override
    public int projectorKernel() {
        return 1;
    }

    @Override
    public String classifierWeight() {
        return "bbox_head.retina_cls.weight";
    }

    @Override
    public String classifierBias() {
        return "bbox_head.retina_cls.bias";
    }

    @Override
    public java.util.List<String> finalRegressionLayers() {
        return java.util.List.of("bbox_head.retina_reg.");
    }

    @Override
    public float[][] priors(PriorLayout layout) {
        checkLayout(layout);
        return priors.perLevel(layout);
    }

    @Override
    public ImageTargets assign(PriorLayout layout, float[] gtXyxy, int[] padShape) {
        checkLayout(layout);
        float[] all = priors.concatenated(layout);
        int p = layout.priorsPerImage();
        int[] valid = padShape == null ? null : validPriors(layout, padShape);
        int[] gtIndex = gtIndex(layout, padShape, all, valid, gtXyxy, p);
        int[] pos = Arrays.stream(range(p)).filter(i -> gtIndex[i] >= 0).toArray();
        float[] posAnchors = new float[4 * pos.length];
        float[] posGts = new float[4 * pos.length];
        for (int k = 0; k < pos.length; k++) {
            System.arraycopy(all, 4 * pos[k], posAnchors, 4 * k, 4);
            System.arraycopy(gtXyxy, 4 * gtIndex[pos[k]], posGts, 4 * k, 4);
        }
        return new ImageTargets(gtIndex, pos, coder.encode(posAnchors, posGts));
    }

    @Override
    public PositiveTargets positives(PriorLayout layout, int[] images, int[] priorIdx, float[] targets) {
        long[] rows = new long[images.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = layout.boxRow(images[i], priorIdx[i]);
        }
        return new PositiveTargets(rows, targets, null, null);
    }

    @Override
    public RegressionLoss regressionLoss(Stage stage) {
        return (head, pos, avgFactor) -> {
            NDArray box = DenseMaps.flatten(head.boxOut(), head.layout(), 4, "box_out"); // [R, 4]
            if (pos.size() == 0) {
                return new LossTerms().put(LOSS_BBOX, DenseMaps.zeroLoss(box));
            }
            NDArray target = box.getManager().create(pos.targets(), new Shape(pos.size(), 4));
            return new LossTerms().put(LOSS_BBOX, l1.compute(DenseMaps.rows(box, pos.rows()), target, null, avgFactor));
        };
    }

    @Override
    public double avgFactor(int[] positivesPerImage) {
        double avg = 0;
        for (int n : positivesPerImage) {
            avg += Math.max(n, 1);
        }
        return avg;
    }

    @Override
    public DensePostprocess postprocess() {
        if (test == null) {
            throw new IllegalStateException(spec.name() + ": no test settings to decode with");
        }
        return DensePostprocess.retinaNet(spec.numClasses(), anchors, coder, test);
    }

    private void checkLayout(PriorLayout layout) {
        if (layout.anchors() != anchors.numAnchors() || layout.levels() != anchors.numLevels()) {
            throw new IllegalArgumentException("layout has " + layout.levels() + " levels x " + layout.anchors()
                    + " anchors, " + spec.name() + " has " + anchors.numLevels() + " x " + anchors.numAnchors());
        }
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

    /**
     * Box index per prior (or BACKGROUND / IGNORED); invalid priors IGNORED; assignment on valid ones
     * only, computing IoUs only where a box can reach the anchor grid ({@link AnchorGrid}).
     */
    private int[] gtIndex(PriorLayout layout, int[] padShape, float[] all, int[] valid, float[] gts, int p) {
        int levels = layout.levels();
        int[] rows = new int[levels], cols = new int[levels], strides = new int[levels];
        for (int l = 0; l < levels; l++) {
            int s = anchors.stride(l), h = layout.height(l), w = layout.width(l);
            strides[l] = s;
            rows[l] = padShape == null ? h : Math.min((padShape[0] + s - 1) / s, h);
            cols[l] = padShape == null ? w : Math.min((padShape[1] + s - 1) / s, w);
        }
        if (valid == null || valid.length == p) {
            return assign(all, gts, rows, cols, strides, layout.anchors()).gtIndex();
        }
        float[] sub = new float[4 * valid.length];
        for (int k = 0; k < valid.length; k++) {
            System.arraycopy(all, 4 * valid[k], sub, 4 * k, 4);
        }
        int[] local = assign(sub, gts, rows, cols, strides, layout.anchors()).gtIndex();
        int[] out = new int[p];
        Arrays.fill(out, Assignment.IGNORED);
        for (int k = 0; k < valid.length; k++) {
            out[valid[k]] = local[k];
        }
        return out;
    }

    private Assignment assign(float[] priors, float[] gts, int[] rows, int[] cols, int[] strides, int a) {
        AnchorGrid grid = AnchorGrid.of(priors, rows, cols, a, strides);
        return grid == null ? assigner.assign(priors, gts) : assigner.assign(priors, gts, grid);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        Arrays.setAll(r, i -> i);
        return r;
    }
}
