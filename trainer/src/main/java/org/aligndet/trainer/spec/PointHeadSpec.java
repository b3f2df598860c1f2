package org.aligndet.trainer.spec;

/**
 * A point-based head's target rule and box branch (FCOS), from the spec's {@code head} section, with
 * mmdetection's {@code FCOSHead} defaults.
 *
 * @param strides            {@code strides}, required, finest first
 * @param regressRanges      {@code regress_ranges}, one {@code {lo, hi}} per level, default FCOS's
 *                           (-1, 64), (64, 128), (128, 256), (256, 512), (512, 1e8)
 * @param centerSampling     {@code center_sampling}, default false
 * @param centerSampleRadius {@code center_sample_radius} in strides, default 1.5
 * @param normOnBbox         {@code norm_on_bbox}: distances in units of the stride, default false
 * @param centernessOnReg    {@code centerness_on_reg}: centre-ness from the regression branch, default false
 */
public record PointHeadSpec(int[] strides, float[][] regressRanges, boolean centerSampling, float centerSampleRadius,
                            boolean normOnBbox, boolean centernessOnReg) {
    /** mmdetection's "infinity", the upper end of the last range. */
    public static final float INF = 1e8f;

    public PointHeadSpec {
        if (strides.length != regressRanges.length) {
            throw new IllegalArgumentException("regress_ranges has " + regressRanges.length + " ranges for "
                    + strides.length + " strides");
        }
        strides = strides.clone();
        float[][] r = new float[regressRanges.length][];
        for (int l = 0; l < r.length; l++) {
            if (regressRanges[l].length != 2) {
                throw new IllegalArgumentException("regress_ranges[" + l + "] needs [lo, hi]");
            }
            r[l] = new float[] {regressRanges[l][0], Math.min(regressRanges[l][1], INF)};
        }
        regressRanges = r;
    }

    /** FCOS's five default ranges for five strides. */
    static float[][] defaultRanges(int levels) {
        float[][] fcos = {{-1, 64}, {64, 128}, {128, 256}, {256, 512}, {512, INF}};
        if (levels != fcos.length) {
            throw new IllegalArgumentException("no default regress_ranges for " + levels + " levels: give head.regress_ranges");
        }
        return fcos;
    }

    @Override
    public int[] strides() {
        return strides.clone();
    }

    @Override
    public float[][] regressRanges() {
        float[][] r = new float[regressRanges.length][];
        for (int l = 0; l < r.length; l++) {
            r[l] = regressRanges[l].clone();
        }
        return r;
    }
}
