package org.aligndet.trainer.coder;

import org.aligndet.trainer.box.Boxes;

/**
 * Encodes a box relative to a prior as normalised deltas {@code (dx, dy, dw, dh)} and back, with
 * mmdetection's {@code DeltaXYWHBBoxCoder} (v2) semantics: widths without +1,
 * {@code dx = (gx - px) / pw}, {@code dw = log(gw / pw)}, then {@code (d - means) / stds}.
 *
 * <p>Round trip: {@code decode(p, encode(p, b)) ≈ b} for boxes with positive width and height whose
 * size ratio to the prior stays within {@code [1/62.5, 62.5]} (the decode clamp) and inside the image
 * when clipping.
 *
 * <p>Priors, boxes and deltas are flat {@code float[N*4]}, row-aligned; boxes and priors in xyxy pixels.
 */
public final class DeltaXYWHCoder {
    /** Bound on decoded {@code |dw|}, {@code |dh|}: {@code |log(16 / 1000)|}, a box at most 62.5 times its prior. */
    public static final float MAX_LOG_RATIO = (float) Math.abs(Math.log(16.0 / 1000));
    /** Pass as image width/height to {@link #decode(float[], float[], int, int)} to skip clipping. */
    public static final int NO_CLIP = -1;

    private final float[] means;
    private final float[] stds;

    /** @param means four target means (usually 0); @param stds four target stds (RetinaNet: 1, 1, 1, 1; Faster R-CNN RoI: .1, .1, .2, .2) */
    public DeltaXYWHCoder(float[] means, float[] stds) {
        if (means.length != 4 || stds.length != 4) {
            throw new IllegalArgumentException("means and stds need 4 values each");
        }
        this.means = means.clone();
        this.stds = stds.clone();
    }

    /** Means 0 and stds 1, as RetinaNet and the RPN use. */
    public static DeltaXYWHCoder unit() {
        return new DeltaXYWHCoder(new float[] {0, 0, 0, 0}, new float[] {1, 1, 1, 1});
    }

    /** Deltas of {@code gts} relative to {@code priors} (both N*4 xyxy, row-aligned) → N*4. */
    public float[] encode(float[] priors, float[] gts) {
        int n = Boxes.count(priors, "priors");
        if (Boxes.count(gts, "gts") != n) {
            throw new IllegalArgumentException("priors and gts must be row-aligned: " + n + " vs " + gts.length / 4);
        }
        float[] d = new float[n * 4];
        for (int i = 0; i < n; i++) {
            int o = 4 * i;
            float pw = priors[o + 2] - priors[o], ph = priors[o + 3] - priors[o + 1];
            float px = (priors[o] + priors[o + 2]) * 0.5f, py = (priors[o + 1] + priors[o + 3]) * 0.5f;
            float gw = gts[o + 2] - gts[o], gh = gts[o + 3] - gts[o + 1];
            float gx = (gts[o] + gts[o + 2]) * 0.5f, gy = (gts[o + 1] + gts[o + 3]) * 0.5f;
            d[o] = ((gx - px) / pw - means[0]) / stds[0];
            d[o + 1] = ((gy - py) / ph - means[1]) / stds[1];
            d[o + 2] = ((float) Math.log(gw / pw) - means[2]) / stds[2];
            d[o + 3] = ((float) Math.log(gh / ph) - means[3]) / stds[3];
        }
        return d;
    }

    /** {@link #decode(float[], float[], int, int)} without clipping. */
    public float[] decode(float[] priors, float[] deltas) {
        return decode(priors, deltas, NO_CLIP, NO_CLIP);
    }

    /**
     * Boxes (N*4 xyxy) from {@code deltas} applied to {@code priors}; {@code dw, dh} clamped to
     * {@link #MAX_LOG_RATIO}; x clipped to {@code [0, imgW]} and y to {@code [0, imgH]} unless both are
     * {@link #NO_CLIP}.
     */
    public float[] decode(float[] priors, float[] deltas, int imgW, int imgH) {
        int n = Boxes.count(priors, "priors");
        if (Boxes.count(deltas, "deltas") != n) {
            throw new IllegalArgumentException("priors and deltas must be row-aligned: " + n + " vs " + deltas.length / 4);
        }
        float[] b = new float[n * 4];
        for (int i = 0; i < n; i++) {
            int o = 4 * i;
            float dx = deltas[o] * stds[0] + means[0], dy = deltas[o + 1] * stds[1] + means[1];
            float dw = clamp(deltas[o + 2] * stds[2] + means[2]), dh = clamp(deltas[o + 3] * stds[3] + means[3]);
            float pw = priors[o + 2] - priors[o], ph = priors[o + 3] - priors[o + 1];
            float px = (priors[o] + priors[o + 2]) * 0.5f, py = (priors[o + 1] + priors[o + 3]) * 0.5f;
            float gw = pw * (float) Math.exp(dw), gh = ph * (float) Math.exp(dh);
            float gx = px + pw * dx, gy = py + ph * dy;
            b[o] = gx - gw * 0.5f;
            b[o + 1] = gy - gh * 0.5f;
            b[o + 2] = gx + gw * 0.5f;
            b[o + 3] = gy + gh * 0.5f;
        }
        return imgW == NO_CLIP && imgH == NO_CLIP ? b : Boxes.clip(b, imgW, imgH);
    }

    private static float clamp(float v) {
        return Math.max(-MAX_LOG_RATIO, Math.min(MAX_LOG_RATIO, v));
    }
}
