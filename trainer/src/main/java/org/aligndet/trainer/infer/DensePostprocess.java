package org.aligndet.trainer.infer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aligndet.trainer.box.Boxes;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.prior.PointGenerator;

/**
 * Decoding, pre-NMS top-k and multi-class NMS of a dense detector (RetinaNet, FCOS), computing what
 * the ONNX template computes ({@code model-specs/generator/postprocess.py}), on host arrays.
 *
 * <p>Per image and level, with {@code K} classes and {@code A} priors per location:
 * <ol>
 *   <li>scores {@code sigmoid(logit)} per (prior, class); FCOS multiplies by {@code sigmoid(centerness)};</li>
 *   <li>the {@code nms_pre} priors with the highest best-class score are kept (all when fewer),
 *       ties to the lower prior index ({@link RankOrder});</li>
 *   <li>boxes decoded: RetinaNet with {@link DeltaXYWHCoder} (log-ratio clamp); FCOS as
 *       {@code (px - l, py - t, px + r, py + b)} with distances times the stride when
 *       {@code norm_on_bbox}, points at {@code x * stride + stride / 2};</li>
 *   <li>boxes clipped to {@code [0, W] x [0, H]} of the network input (the padded batch);</li>
 *   <li>{@link MultiClassNms} over the candidates of all levels.</li>
 * </ol>
 * The best class score ranks priors without a sigmoid per class: the sigmoid is monotone, so
 * {@code sigmoid(max logit)} equals {@code max sigmoid(logit)} exactly.
 *
 * <p>Prior order within a level is mmdetection's: location row-major, then anchor slot; the logit
 * of (location p, anchor a, class c) is channel {@code a*K + c} of the {@code [N, A*K, h, w]} map.
 */
public final class DensePostprocess {
    private final boolean pointBased; // FCOS: distances at points; else anchors and deltas
    private final int numClasses;
    private final int anchorsPerLoc;
    private final int[] strides;
    private final float[][] baseAnchors; // RetinaNet: per level A*4, centred on location (0, 0)
    private final DeltaXYWHCoder coder;  // RetinaNet
    private final boolean normOnBbox;    // FCOS
    private final PostprocessConfig cfg;
    private final MultiClassNms nms;

    private DensePostprocess(boolean pointBased, int numClasses, int[] strides, float[][] baseAnchors, int anchorsPerLoc,
                             DeltaXYWHCoder coder, boolean normOnBbox, PostprocessConfig cfg) {
        if (numClasses <= 0 || strides.length == 0) {
            throw new IllegalArgumentException("need classes and strides");
        }
        this.pointBased = pointBased;
        this.numClasses = numClasses;
        this.strides = strides.clone();
        this.baseAnchors = baseAnchors;
        this.anchorsPerLoc = anchorsPerLoc;
        this.coder = coder;
        this.normOnBbox = normOnBbox;
        this.cfg = cfg;
        this.nms = MultiClassNms.of(cfg);
    }

    /** RetinaNet: anchors per level (their strides are the levels'), delta coder, test settings. */
    public static DensePostprocess retinaNet(int numClasses, AnchorGenerator anchors, DeltaXYWHCoder coder, PostprocessConfig cfg) {
        int[] s = new int[anchors.numLevels()];
        float[][] base = new float[s.length][];
        for (int l = 0; l < s.length; l++) {
            s[l] = anchors.stride(l);
            base[l] = anchors.anchors(l, 1, 1);
        }
        return new DensePostprocess(false, numClasses, s, base, anchors.numAnchors(), coder, false, cfg);
    }

    /** FCOS: strides per level; {@code normOnBbox}: distances are in units of the stride. */
    public static DensePostprocess fcos(int numClasses, int[] strides, boolean normOnBbox, PostprocessConfig cfg) {
        return new DensePostprocess(true, numClasses, strides, null, 1, null, normOnBbox, cfg);
    }

    public PostprocessConfig config() {
        return cfg;
    }

    /** The same decoding with other test settings (e.g. a lower score threshold for evaluation). */
    public DensePostprocess withConfig(PostprocessConfig other) {
        return new DensePostprocess(pointBased, numClasses, strides, baseAnchors, anchorsPerLoc, coder, normOnBbox, other);
    }

    /** Detections per image of the batch, boxes in network-input pixels ({@code inputWidth x inputHeight}). */
    public List<Detections> apply(HeadMaps maps, int inputHeight, int inputWidth) {
        List<Detections> out = new ArrayList<>(maps.batch());
        for (int n = 0; n < maps.batch(); n++) {
            out.add(image(maps, n, inputHeight, inputWidth));
        }
        return out;
    }

    /** Detections of image {@code n} of the batch (no key, no id), boxes in network-input pixels. */
    public Detections image(HeadMaps maps, int n, int inputHeight, int inputWidth) {
        check(maps);
        int k = numClasses;
        List<float[]> levelBoxes = new ArrayList<>(), levelScores = new ArrayList<>();
        int m = 0;
        for (int l = 0; l < strides.length; l++) {
            HeadMaps.Level cls = maps.cls().get(l);
            int hw = cls.height() * cls.width();
            float[] ctr = pointBased ? centerness(maps.centerness().get(l), n) : null;
            float[] rank = rank(cls, n, ctr);
            int[] sel = RankOrder.top(rank, hw * anchorsPerLoc, cfg.nmsPre());
            float[] scores = new float[sel.length * k];
            for (int j = 0; j < sel.length; j++) {
                int p = sel[j] / anchorsPerLoc, a = sel[j] % anchorsPerLoc;
                int base = ((n * cls.channels()) + a * k) * hw + p;
                for (int c = 0; c < k; c++) {
                    float s = sigmoid(cls.data()[base + c * hw]);
                    scores[j * k + c] = ctr == null ? s : s * ctr[p];
                }
            }
            HeadMaps.Level box = maps.box().get(l);
            levelBoxes.add(pointBased
                    ? distances(box, n, l, sel, inputHeight, inputWidth)
                    : deltas(box, n, l, sel, inputHeight, inputWidth));
            levelScores.add(scores);
            m += sel.length;
        }
        float[] boxes = Boxes.concat(levelBoxes);
        float[] scores = Boxes.concat(levelScores);
        return nms.apply(boxes, scores, m, k);
    }

    /** Best-class score per prior of image n: {@code sigmoid(max_c logit)} (× centre-ness for FCOS). */
    private float[] rank(HeadMaps.Level cls, int n, float[] ctr) {
        int hw = cls.height() * cls.width(), a = anchorsPerLoc;
        float[] best = new float[hw * a];
        Arrays.fill(best, Float.NEGATIVE_INFINITY);
        float[] d = cls.data();
        for (int ch = 0; ch < cls.channels(); ch++) {
            int slot = ch / numClasses;
            int base = (n * cls.channels() + ch) * hw;
            for (int p = 0; p < hw; p++) {
                int i = p * a + slot;
                best[i] = Math.max(best[i], d[base + p]);
            }
        }
        for (int i = 0; i < best.length; i++) {
            float s = sigmoid(best[i]);
            best[i] = ctr == null ? s : s * ctr[i];
        }
        return best;
    }

    private static float[] centerness(HeadMaps.Level ctr, int n) {
        int hw = ctr.height() * ctr.width();
        float[] out = new float[hw];
        for (int p = 0; p < hw; p++) {
            out[p] = sigmoid(ctr.data()[n * hw + p]);
        }
        return out;
    }

    /** RetinaNet: selected anchors decoded with their deltas, clipped. */
    private float[] deltas(HeadMaps.Level box, int n, int l, int[] sel, int inH, int inW) {
        int hw = box.height() * box.width(), w = box.width(), a = anchorsPerLoc;
        float s = strides[l];
        float[] base = baseAnchors[l];
        float[] priors = new float[4 * sel.length], d = new float[4 * sel.length];
        for (int j = 0; j < sel.length; j++) {
            int p = sel[j] / a, slot = sel[j] % a;
            float sx = (p % w) * s, sy = (p / w) * s;
            priors[4 * j] = base[4 * slot] + sx;
            priors[4 * j + 1] = base[4 * slot + 1] + sy;
            priors[4 * j + 2] = base[4 * slot + 2] + sx;
            priors[4 * j + 3] = base[4 * slot + 3] + sy;
            for (int q = 0; q < 4; q++) {
                d[4 * j + q] = box.data()[((n * box.channels()) + slot * 4 + q) * hw + p];
            }
        }
        return coder.decode(priors, d, inW, inH);
    }

    /** FCOS: selected points minus/plus their (l, t, r, b) distances, clipped. */
    private float[] distances(HeadMaps.Level box, int n, int l, int[] sel, int inH, int inW) {
        int hw = box.height() * box.width(), w = box.width(), stride = strides[l];
        float scale = normOnBbox ? stride : 1f;
        float[] out = new float[4 * sel.length];
        for (int j = 0; j < sel.length; j++) {
            int p = sel[j];
            float px = (p % w) * stride + stride / 2, py = (p / w) * stride + stride / 2;
            int o = n * 4 * hw + p;
            out[4 * j] = clip(px - box.data()[o] * scale, inW);
            out[4 * j + 1] = clip(py - box.data()[o + hw] * scale, inH);
            out[4 * j + 2] = clip(px + box.data()[o + 2 * hw] * scale, inW);
            out[4 * j + 3] = clip(py + box.data()[o + 3 * hw] * scale, inH);
        }
        return out;
    }

    private void check(HeadMaps maps) {
        if (maps.levels() != strides.length) {
            throw new IllegalArgumentException("head outputs have " + maps.levels() + " levels, expected " + strides.length);
        }
        if (pointBased && maps.centerness().isEmpty()) {
            throw new IllegalArgumentException("FCOS post-processing needs centerness outputs");
        }
        for (int l = 0; l < strides.length; l++) {
            if (maps.cls().get(l).channels() != anchorsPerLoc * numClasses || maps.box().get(l).channels() != anchorsPerLoc * 4) {
                throw new IllegalArgumentException("level " + l + ": " + maps.cls().get(l).channels() + " cls and "
                        + maps.box().get(l).channels() + " box channels, expected " + anchorsPerLoc * numClasses
                        + " and " + anchorsPerLoc * 4 + " (" + anchorsPerLoc + " priors x " + numClasses + " classes)");
            }
        }
    }

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    private static float clip(float v, int max) {
        return Math.min(Math.max(v, 0f), max);
    }


}
