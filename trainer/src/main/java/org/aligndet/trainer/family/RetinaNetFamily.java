package org.aligndet.trainer.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.trainer.assign.AnchorGrid;
import org.aligndet.trainer.assign.Assignment;
import org.aligndet.trainer.assign.MaxIoUAssigner;
import org.aligndet.trainer.box.Boxes;
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
        return assign(layout, gtXyxy, padShape, null);
    }

    @Override
    public ImageTargets assign(PriorLayout layout, float[] gtXyxy, int[] padShape, int[] reuse) {
        checkLayout(layout);
        AssignablePriors ap = assignable(layout, padShape);
        Boxes.Columns c = ap.columns();
        int n = c.size();
        int[] gtIndex = reuse != null && reuse.length == layout.priorsPerImage() ? reuse : new int[layout.priorsPerImage()];
        // the valid priors' indices: the result itself when every prior is valid, else this thread's working array
        int[] local = ap.valid() == null ? gtIndex : Local.of(n);
        if (ap.grid() == null) {
            System.arraycopy(assigner.assign(c, gtXyxy).gtIndex(), 0, local, 0, n);
        } else {
            assigner.assignIndices(c, gtXyxy, ap.grid(), local);
        }
        if (ap.valid() != null) {
            Arrays.fill(gtIndex, Assignment.IGNORED);
            for (int k = 0; k < n; k++) {
                gtIndex[ap.valid()[k]] = local[k];
            }
        }
        int count = 0;
        for (int k = 0; k < n; k++) {
            count += local[k] >= 0 ? 1 : 0;
        }
        int[] pos = new int[count];
        float[] posAnchors = new float[4 * count];
        float[] posGts = new float[4 * count];
        int k = 0;
        for (int j = 0; j < n; j++) { // ascending: valid is
            if (local[j] < 0) {
                continue;
            }
            pos[k] = ap.valid() == null ? j : ap.valid()[j];
            posAnchors[4 * k] = c.x1()[j];
            posAnchors[4 * k + 1] = c.y1()[j];
            posAnchors[4 * k + 2] = c.x2()[j];
            posAnchors[4 * k + 3] = c.y2()[j];
            System.arraycopy(gtXyxy, 4 * local[j], posGts, 4 * k, 4);
            k++;
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

    /**
     * The priors an image is assigned over: those whose location lies within {@code ceil(pad / stride)}
     * of their level ({@code valid}, ascending; null when that is all of them), as coordinate columns,
     * and the grid that limits each box's IoUs to the anchors it can reach (null when the priors are not
     * such a grid: the assigner then scans them all).
     */
    private record AssignablePriors(int[] valid, Boxes.Columns columns, AnchorGrid grid) {
    }

    /** Distinct (feature layout, padded extent) pairs kept: batches of a dataset's common image shapes repeat them. */
    private static final int PREPARED_KEPT = 8;

    private final Map<String, AssignablePriors> prepared = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, AssignablePriors> eldest) {
                    return size() > PREPARED_KEPT;
                }
            });

    /**
     * The assignable priors for this layout and padded extent, prepared once and kept for the next
     * images of the same shapes (at R50 they are 160k priors, 6 MB in columns); not held under the lock
     * while computed, so two threads may both prepare the same entry, with the same values.
     */
    private AssignablePriors assignable(PriorLayout layout, int[] padShape) {
        StringBuilder key = new StringBuilder();
        for (int l = 0; l < layout.levels(); l++) {
            key.append(layout.height(l)).append('x').append(layout.width(l)).append(',');
        }
        key.append(padShape == null ? "all" : padShape[0] + "x" + padShape[1]);
        String k = key.toString();
        AssignablePriors ap = prepared.get(k);
        if (ap == null) {
            ap = prepare(layout, padShape);
            prepared.put(k, ap);
        }
        return ap;
    }

    private AssignablePriors prepare(PriorLayout layout, int[] padShape) {
        int levels = layout.levels();
        int[] rows = new int[levels], cols = new int[levels], strides = new int[levels];
        for (int l = 0; l < levels; l++) {
            int s = anchors.stride(l), h = layout.height(l), w = layout.width(l);
            strides[l] = s;
            rows[l] = padShape == null ? h : Math.min((padShape[0] + s - 1) / s, h);
            cols[l] = padShape == null ? w : Math.min((padShape[1] + s - 1) / s, w);
        }
        float[] all = priors.concatenated(layout);
        int[] valid = padShape == null ? null : validPriors(layout, rows, cols);
        if (valid != null && valid.length == layout.priorsPerImage()) {
            valid = null;
        }
        float[] boxes = all;
        if (valid != null) {
            boxes = new float[4 * valid.length];
            for (int k = 0; k < valid.length; k++) {
                System.arraycopy(all, 4 * valid[k], boxes, 4 * k, 4);
            }
        }
        return new AssignablePriors(valid, Boxes.Columns.of(boxes), AnchorGrid.of(boxes, rows, cols, layout.anchors(), strides));
    }

    /** Priors at locations {@code y < rows[l], x < cols[l]} of each level, ascending. */
    private static int[] validPriors(PriorLayout layout, int[] rows, int[] cols) {
        int a = layout.anchors();
        int n = 0;
        for (int l = 0; l < layout.levels(); l++) {
            n += rows[l] * cols[l] * a;
        }
        int[] out = new int[n];
        int k = 0;
        for (int l = 0; l < layout.levels(); l++) {
            int w = layout.width(l);
            for (int y = 0; y < rows[l]; y++) {
                for (int x = 0; x < cols[l]; x++) {
                    for (int j = 0; j < a; j++) {
                        out[k++] = layout.levelStart(l) + (y * w + x) * a + j;
                    }
                }
            }
        }
        return out;
    }

    /** Per thread, the valid priors' gt indices of an image with invalid priors, grown to the largest asked for. */
    private static final class Local {
        private static final ThreadLocal<int[]> PER_THREAD = ThreadLocal.withInitial(() -> new int[0]);

        static int[] of(int n) {
            int[] a = PER_THREAD.get();
            if (a.length < n) {
                a = new int[n];
                PER_THREAD.set(a);
            }
            return a;
        }
    }
}
