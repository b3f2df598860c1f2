package org.aligndet.trainer.spec;

/**
 * The spec's {@code head.bbox_coder} ({@code DeltaXYWHBBoxCoder}): {@code target_means}, default 0,
 * and {@code target_stds}, default 1, four each.
 */
public record BoxCoderSpec(float[] means, float[] stds) {
    public BoxCoderSpec {
        if (means.length != 4 || stds.length != 4) {
            throw new IllegalArgumentException("target_means and target_stds need 4 values each");
        }
        means = means.clone();
        stds = stds.clone();
    }

    public static BoxCoderSpec unit() {
        return new BoxCoderSpec(new float[4], new float[] {1, 1, 1, 1});
    }

    @Override
    public float[] means() {
        return means.clone();
    }

    @Override
    public float[] stds() {
        return stds.clone();
    }
}
