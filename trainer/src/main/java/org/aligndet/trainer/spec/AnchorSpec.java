package org.aligndet.trainer.spec;

import java.util.Arrays;

/**
 * An anchor-based head's priors, the spec's {@code head.anchor} (mmdetection's {@code AnchorGenerator}):
 * per level and location, {@code scalesPerOctave * ratios.length} anchors of base size
 * {@code stride * octaveBaseScale * 2^(i / scalesPerOctave)}.
 *
 * @param octaveBaseScale {@code octave_base_scale}, default 4
 * @param scalesPerOctave {@code scales_per_octave}, default 3
 * @param ratios          {@code ratios} (height / width), default 0.5, 1, 2
 * @param strides         {@code strides}, required, finest first
 * @param centerOffset    {@code center_offset} in strides, default 0
 */
public record AnchorSpec(double octaveBaseScale, int scalesPerOctave, double[] ratios, int[] strides, double centerOffset) {
    public AnchorSpec {
        ratios = ratios.clone();
        strides = strides.clone();
    }

    /** Anchors per location. */
    public int perLocation() {
        return scalesPerOctave * ratios.length;
    }

    @Override
    public double[] ratios() {
        return ratios.clone();
    }

    @Override
    public int[] strides() {
        return strides.clone();
    }

    @Override
    public String toString() {
        return "AnchorSpec[octave_base_scale=" + octaveBaseScale + ", scales_per_octave=" + scalesPerOctave + ", ratios="
                + Arrays.toString(ratios) + ", strides=" + Arrays.toString(strides) + ", center_offset=" + centerOffset + "]";
    }
}
