package org.aligndet.trainer.mask;

import java.util.List;

/**
 * Mask R-CNN's mask targets, mmdetection 2.x's {@code mask_target} for one image: each positive RoI
 * gets its assigned ground-truth mask, as it lies in the (resized, flipped, padded) view, cropped to
 * the RoI and resized to {@code outH x outW} the way {@code BitmapMasks.crop_and_resize} does it:
 * <ol>
 *   <li>the RoI (view pixels, xyxy) is clipped to {@code [0, padWidth] x [0, padHeight]}
 *       ({@code mask_target_single} clips to the gt masks' size, which after {@code Pad} is the padded
 *       image's);</li>
 *   <li>{@code roi_align(mask[:, None], rois, (outH, outW), spatial_scale=1.0, sampling_ratio=0,
 *       'avg', aligned=True)} on the 0/1 mask as float32: torchvision's RoIAlign (half-pixel shift,
 *       adaptive {@code ceil(roi / out)} samples per bin and axis, bilinear with its border rules,
 *       mean over the bin's samples);</li>
 *   <li>with {@code binarize} (mmdetection's default, {@code soft_mask_target=False}) each value
 *       {@code >= 0.5} becomes 1, else 0.</li>
 * </ol>
 *
 * <p><b>Computed on the host, for the positive RoIs only.</b> Rather than rasterising the view-size
 * mask, each bilinear sample reads the original mask through {@link MaskGeometry}'s pixel map
 * (nearest-neighbour resize, flip, zero padding): the same pixel values, so the same numbers, and the
 * work is {@code P x outH x outW x samples} reads plus one decode of each gt mask used. The float
 * arithmetic follows torchvision's CPU kernel step by step (float32, same order), so values agree to
 * the last bit in practice and binarised targets match exactly except where a value sits on 0.5 in
 * one implementation and one ulp off in the other.
 */
public final class MaskTargets {
    private final int outH;
    private final int outW;
    private final boolean binarize;

    public MaskTargets(int outH, int outW, boolean binarize) {
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("output " + outH + "x" + outW);
        }
        this.outH = outH;
        this.outW = outW;
        this.binarize = binarize;
    }

    /** mmdetection's Mask R-CNN: 28 x 28, binarised. */
    public static MaskTargets mmdetection() {
        return new MaskTargets(28, 28, true);
    }

    public int outH() {
        return outH;
    }

    public int outW() {
        return outW;
    }

    /**
     * @param gtMasks  the image's ground-truth masks in the original frame ({@code origHeight x
     *                 origWidth} each), indexed by gt index (the order the assigner's gt boxes have)
     * @param geometry how the view was made from the original image
     * @param rois     the positive RoIs, {@code float[P * 4]} xyxy in view pixels
     * @param gtIndex  each RoI's assigned gt index, {@code int[P]}
     * @return {@code float[P * outH * outW]}, RoI-major then row-major: 0/1 when binarised, else in [0, 1]
     */
    public float[] compute(List<Rle> gtMasks, MaskGeometry geometry, float[] rois, int[] gtIndex) {
        if (rois.length != 4 * gtIndex.length) {
            throw new IllegalArgumentException(rois.length + " RoI coordinates for " + gtIndex.length + " gt indices (4 each)");
        }
        int p = gtIndex.length;
        float[] out = new float[p * outH * outW];
        if (p == 0) {
            return out;
        }
        int[] sx = geometry.sourceColumns();
        int[] sy = geometry.sourceRows();
        boolean[][] decoded = new boolean[gtMasks.size()][];
        for (int r = 0; r < p; r++) {
            int g = gtIndex[r];
            if (g < 0 || g >= gtMasks.size()) {
                throw new IllegalArgumentException("RoI " + r + " is assigned gt " + g + " of " + gtMasks.size());
            }
            if (decoded[g] == null) {
                geometry.checkOriginal(gtMasks.get(g));
                decoded[g] = gtMasks.get(g).decode();
            }
            Frame frame = new Frame(decoded[g], geometry.origHeight(), sx, sy);
            float w = geometry.padWidth();
            float h = geometry.padHeight();
            align(frame, clip(rois[4 * r], w), clip(rois[4 * r + 1], h), clip(rois[4 * r + 2], w), clip(rois[4 * r + 3], h),
                    out, r * outH * outW);
        }
        if (binarize) {
            for (int i = 0; i < out.length; i++) {
                out[i] = out[i] >= 0.5f ? 1f : 0f;
            }
        }
        return out;
    }

    /** {@code np.clip(v, 0, hi)}; NaN stays NaN as in numpy. */
    private static float clip(float v, float hi) {
        return v < 0 ? 0 : v > hi ? hi : v;
    }

    /**
     * The padded view of one mask, {@code padHeight x padWidth}: pixel {@code (y, x)} is 1 when
     * both source indices are valid and the original pixel is set.
     */
    private record Frame(boolean[] colMajor, int origH, int[] sx, int[] sy) {
        float at(int y, int x) {
            int ox = sx[x];
            int oy = sy[y];
            return ox >= 0 && oy >= 0 && colMajor[ox * origH + oy] ? 1f : 0f;
        }

        int height() {
            return sy.length;
        }

        int width() {
            return sx.length;
        }
    }

    /** torchvision's {@code roi_align_forward_kernel_impl} for one RoI and one channel, aligned, scale 1. */
    private void align(Frame f, float rx1, float ry1, float rx2, float ry2, float[] out, int at) {
        int height = f.height();
        int width = f.width();
        float offset = 0.5f;
        float startW = rx1 * 1.0f - offset;
        float startH = ry1 * 1.0f - offset;
        float endW = rx2 * 1.0f - offset;
        float endH = ry2 * 1.0f - offset;
        float roiW = endW - startW;
        float roiH = endH - startH;
        float binH = roiH / outH;
        float binW = roiW / outW;
        int gridH = (int) Math.ceil(roiH / outH);
        int gridW = (int) Math.ceil(roiW / outW);
        float count = Math.max(gridH * gridW, 1);
        for (int ph = 0; ph < outH; ph++) {
            for (int pw = 0; pw < outW; pw++) {
                float acc = 0f;
                for (int iy = 0; iy < gridH; iy++) {
                    float yy = startH + ph * binH + (iy + .5f) * binH / gridH;
                    for (int ix = 0; ix < gridW; ix++) {
                        float xx = startW + pw * binW + (ix + .5f) * binW / gridW;
                        acc += bilinear(f, yy, xx, height, width);
                    }
                }
                out[at + ph * outW + pw] = acc / count;
            }
        }
    }

    /** torchvision's {@code bilinear_interpolate} pre-calculation and sum, in its order. */
    private static float bilinear(Frame f, float y, float x, int height, int width) {
        if (y < -1.0 || y > height || x < -1.0 || x > width) {
            return 0f;
        }
        if (y <= 0) {
            y = 0;
        }
        if (x <= 0) {
            x = 0;
        }
        int yLow = (int) y;
        int xLow = (int) x;
        int yHigh;
        int xHigh;
        if (yLow >= height - 1) {
            yHigh = yLow = height - 1;
            y = yLow;
        } else {
            yHigh = yLow + 1;
        }
        if (xLow >= width - 1) {
            xHigh = xLow = width - 1;
            x = xLow;
        } else {
            xHigh = xLow + 1;
        }
        float ly = y - yLow;
        float lx = x - xLow;
        float hy = 1f - ly;
        float hx = 1f - lx;
        float w1 = hy * hx;
        float w2 = hy * lx;
        float w3 = ly * hx;
        float w4 = ly * lx;
        return w1 * f.at(yLow, xLow) + w2 * f.at(yLow, xHigh) + w3 * f.at(yHigh, xLow) + w4 * f.at(yHigh, xHigh);
    }
}
