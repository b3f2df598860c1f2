package org.aligndet.trainer.twostage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Pools each RoI from one pyramid level, with mmdetection's (v2) {@code SingleRoIExtractor}
 * semantics: RoIAlign (aligned, adaptive sampling, {@code spatial_scale = 1 / stride}) on the level
 * {@code floor(log2(sqrt(w * h) / finestScale + 1e-6))} clamped to {@code [0, L - 1]} (w, h of the
 * RoI in input pixels, {@code finestScale} 56), so a 224-pixel RoI goes to level 2 of strides
 * {@code 4, 8, 16, 32}.
 *
 * <p>All levels are combined in one result without a scatter: each level's sparse weight matrix has a
 * row for every RoI (empty for RoIs of other levels), and the per-level products are summed.
 */
public final class RoiExtractor {
    /** mmdetection's {@code finest_scale}. */
    public static final float FINEST_SCALE = 56f;

    private final int[] strides;
    private final float finestScale;
    private final RoIAlign align;

    /** @param strides the levels' strides, finest first (Faster R-CNN: 4, 8, 16, 32) */
    public RoiExtractor(int[] strides, RoIAlign align, float finestScale) {
        if (strides.length == 0 || finestScale <= 0) {
            throw new IllegalArgumentException("need at least one level and a positive finest scale");
        }
        this.strides = strides.clone();
        this.align = align;
        this.finestScale = finestScale;
    }

    /** mmdetection's box (7 x 7) or mask (14 x 14) extractor on the given strides. */
    public static RoiExtractor mmdetection(int[] strides, int outSize) {
        return new RoiExtractor(strides, RoIAlign.mmdetection(outSize), FINEST_SCALE);
    }

    /**
     * The level of each RoI ({@code float[K * 5]}, batch index then xyxy): computed in float32 as
     * mmdetection does in torch.
     */
    public static int[] mapLevels(float[] rois, int numLevels, float finestScale) {
        int k = RoIAlign.count(rois);
        int[] out = new int[k];
        for (int r = 0; r < k; r++) {
            float w = rois[5 * r + 3] - rois[5 * r + 1];
            float h = rois[5 * r + 4] - rois[5 * r + 2];
            float scale = (float) Math.sqrt(w * h);
            float log2 = (float) (Math.log(scale / finestScale + 1e-6f) / Math.log(2));
            int level = Float.isNaN(log2) ? 0 : (int) Math.floor(log2); // -inf and NaN (no area) clamp to 0
            out[r] = Math.max(0, Math.min(numLevels - 1, level));
        }
        return out;
    }

    public int[] levels(float[] rois) {
        return mapLevels(rois, strides.length, finestScale);
    }

    /**
     * @param feats one {@code [N, C, H_l, W_l]} float32 map per level (at least as many as strides;
     *              extra, coarser maps are not used, as mmdetection ignores the RPN's fifth level)
     * @param rois  {@code float[K * 5]}: batch index, x1, y1, x2, y2 in input pixels
     * @return {@code [K, C, out, out]}
     */
    public NDArray apply(List<NDArray> feats, float[] rois) {
        if (feats.size() < strides.length) {
            throw new IllegalArgumentException(feats.size() + " feature maps for " + strides.length + " strides");
        }
        int k = RoIAlign.count(rois);
        int[] levels = levels(rois);
        long c = RoIAlign.shapeOf(feats.get(0))[1];
        long rows = (long) k * align.outH() * align.outW();
        NDArray sum = null;
        for (int l = 0; l < strides.length; l++) {
            long[] s = RoIAlign.shapeOf(feats.get(l));
            if (s[1] != c) {
                throw new IllegalArgumentException("level " + l + " has " + s[1] + " channels, level 0 " + c);
            }
            RoIAlign.Coo coo = new RoIAlign.Coo();
            boolean any = false;
            for (int r = 0; r < k; r++) {
                if (levels[r] == l) {
                    any = true;
                    align.addWeights(coo, rois, r, 1f / strides[l], (int) s[0], (int) s[2], (int) s[3]);
                }
            }
            if (!any) {
                continue;
            }
            NDArray part = coo.times(RoIAlign.flatten(feats.get(l)), rows);
            sum = sum == null ? part : sum.add(part);
        }
        if (sum == null) { // no RoIs
            return feats.get(0).getManager().zeros(new Shape(0, c, align.outH(), align.outW()));
        }
        return align.unflatten(sum, k, c);
    }
}
