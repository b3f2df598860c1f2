package org.aligndet.trainer.twostage;

import java.util.Arrays;
import java.util.List;
import org.aligndet.trainer.box.Boxes;
import org.aligndet.trainer.coder.DeltaXYWHCoder;

/**
 * Proposals from the RPN's outputs for one image, on the host, with mmdetection's (2.x)
 * {@code RPNHead._get_bboxes_single} semantics ({@code nms_pre=2000, max_per_img=1000,
 * nms=dict(type='nms', iou_threshold=0.7), min_bbox_size=0}):
 * <ol>
 *   <li>per level, objectness {@code sigmoid(logit)}; when the level has more than {@code nmsPre}
 *       anchors, its {@code nmsPre} best;</li>
 *   <li>decode against the anchors ({@code DeltaXYWHBBoxCoder}, means 0, stds 1), clipped to the image
 *       ({@code img_shape}, not the padded shape);</li>
 *   <li>drop boxes with width or height {@code <= 0};</li>
 *   <li>batched NMS with the level as the category (torchvision's {@code batched_nms}: boxes of
 *       different levels never suppress each other; IoU {@code > iouThr} suppresses, torchvision's
 *       float32 IoU {@link Boxes#nmsIouFloat32});</li>
 *   <li>the survivors by score, the best {@code maxPerImg}.</li>
 * </ol>
 * Ties (equal logits or scores) go to the lower index / lower level; PyTorch leaves their order
 * unspecified. torchvision runs small sets through the coordinate-offset trick, whose float rounding
 * can flip an IoU within an ulp of the threshold; this class never offsets.
 */
public final class RpnProposals {
    private final int nmsPre;
    private final float iouThr;
    private final int maxPerImg;
    private final DeltaXYWHCoder coder;

    /** @param nmsPre per-level candidates before NMS ({@code <= 0}: all) */
    public RpnProposals(int nmsPre, float iouThr, int maxPerImg, DeltaXYWHCoder coder) {
        if (maxPerImg <= 0) {
            throw new IllegalArgumentException("maxPerImg " + maxPerImg);
        }
        this.nmsPre = nmsPre;
        this.iouThr = iouThr;
        this.maxPerImg = maxPerImg;
        this.coder = coder;
    }

    /** mmdetection 2.x Faster R-CNN: 2000 per level, NMS 0.7, 1000 kept (training and testing). */
    public static RpnProposals mmdetection() {
        return new RpnProposals(2000, 0.7f, 1000, DeltaXYWHCoder.unit());
    }

    /**
     * One image's proposals, best first.
     *
     * @param boxes  {@code float[M * 4]} xyxy in input pixels
     * @param scores {@code float[M]} objectness probabilities
     * @param levels {@code int[M]} the pyramid level each came from
     */
    public record Result(float[] boxes, float[] scores, int[] levels) {
        public int size() {
            return scores.length;
        }
    }

    /**
     * @param logits  per level {@code float[n_l]} objectness logits, in the anchors' order
     *                (location-major, then anchor: the RPN map {@code [A, H, W]} as {@code permute(1, 2, 0)})
     * @param deltas  per level {@code float[n_l * 4]} in the same order
     * @param anchors per level {@code float[n_l * 4]} xyxy
     * @param imgH    the image's height before padding (clip bound)
     * @param imgW    its width
     */
    public Result propose(List<float[]> logits, List<float[]> deltas, List<float[]> anchors, int imgH, int imgW) {
        int levels = logits.size();
        if (deltas.size() != levels || anchors.size() != levels) {
            throw new IllegalArgumentException(levels + " logit levels, " + deltas.size() + " delta levels, "
                    + anchors.size() + " anchor levels");
        }
        float[][] keptBoxes = new float[levels][];
        float[][] keptScores = new float[levels][];
        int total = 0;
        for (int l = 0; l < levels; l++) {
            float[] lg = logits.get(l);
            int n = lg.length;
            if (deltas.get(l).length != 4 * n || anchors.get(l).length != 4 * n) {
                throw new IllegalArgumentException("level " + l + ": " + n + " logits, " + deltas.get(l).length / 4
                        + " deltas, " + anchors.get(l).length / 4 + " anchors");
            }
            int[] top = topByValue(lg, nmsPre > 0 ? Math.min(nmsPre, n) : n);
            float[] a = new float[top.length * 4];
            float[] d = new float[top.length * 4];
            for (int i = 0; i < top.length; i++) {
                System.arraycopy(anchors.get(l), 4 * top[i], a, 4 * i, 4);
                System.arraycopy(deltas.get(l), 4 * top[i], d, 4 * i, 4);
            }
            float[] decoded = coder.decode(a, d, imgW, imgH);
            // drop empty boxes, keep the rank order
            float[] b = new float[decoded.length];
            float[] s = new float[top.length];
            int m = 0;
            for (int i = 0; i < top.length; i++) {
                if (decoded[4 * i + 2] - decoded[4 * i] > 0 && decoded[4 * i + 3] - decoded[4 * i + 1] > 0) {
                    System.arraycopy(decoded, 4 * i, b, 4 * m, 4);
                    s[m++] = sigmoid(lg[top[i]]);
                }
            }
            int[] keep = nms(b, m, iouThr);
            keptBoxes[l] = new float[keep.length * 4];
            keptScores[l] = new float[keep.length];
            for (int i = 0; i < keep.length; i++) {
                System.arraycopy(b, 4 * keep[i], keptBoxes[l], 4 * i, 4);
                keptScores[l][i] = s[keep[i]];
            }
            total += keep.length;
        }
        // all levels' survivors by score (ties: lower level, then better rank), the best maxPerImg
        float[] allScores = new float[total];
        int[] from = new int[levels + 1];
        for (int l = 0; l < levels; l++) {
            System.arraycopy(keptScores[l], 0, allScores, from[l], keptScores[l].length);
            from[l + 1] = from[l] + keptScores[l].length;
        }
        int[] best = topByValue(allScores, Math.min(maxPerImg, total));
        float[] boxes = new float[best.length * 4];
        float[] scores = new float[best.length];
        int[] lv = new int[best.length];
        for (int i = 0; i < best.length; i++) {
            int flat = best[i];
            int l = 0;
            while (flat >= from[l + 1]) {
                l++;
            }
            System.arraycopy(keptBoxes[l], 4 * (flat - from[l]), boxes, 4 * i, 4);
            scores[i] = allScores[flat];
            lv[i] = l;
        }
        return new Result(boxes, scores, lv);
    }

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    /** Greedy NMS over {@code boxes[0..n)} in rank order: indices kept, ascending. */
    static int[] nms(float[] boxes, int n, float iouThr) {
        int[] kept = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            boolean suppressed = false;
            for (int q = 0; q < k && !suppressed; q++) {
                suppressed = Boxes.nmsIouFloat32(boxes, kept[q], i) > iouThr;
            }
            if (!suppressed) {
                kept[k++] = i;
            }
        }
        return Arrays.copyOf(kept, k);
    }

    /** Indices of the {@code k} largest values, largest first; ties by index; NaN last. */
    static int[] topByValue(float[] values, int k) {
        long[] keys = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            int bits = Float.isNaN(v) ? Integer.MIN_VALUE : sortable(v);
            keys[i] = ((long) ~bits << 32) | i;
        }
        Arrays.sort(keys);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }

    /** An int whose signed order is the float order. */
    private static int sortable(float v) {
        int bits = Float.floatToIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }
}
