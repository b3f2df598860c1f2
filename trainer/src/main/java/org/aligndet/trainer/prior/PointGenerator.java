package org.aligndet.trainer.prior;

/**
 * Points per pyramid level for point-based heads (FCOS), as mmdetection's v2 FCOS head places them:
 * {@code x = j * stride + stride / 2}, {@code y = i * stride + stride / 2} with integer division.
 * Output {@code float[h*w*2]}: {@code (x, y)} pairs, row-major over {@code (i, j)}, in input pixels.
 */
public final class PointGenerator {
    private final int[] strides;

    /** @param strides one per level, FCOS: 8, 16, 32, 64, 128 */
    public PointGenerator(int[] strides) {
        if (strides.length == 0) {
            throw new IllegalArgumentException("need at least one stride");
        }
        this.strides = strides.clone();
    }

    public int numLevels() {
        return strides.length;
    }

    /** The strides, one per level, finest first. */
    public int[] strides() {
        return strides.clone();
    }

    public int stride(int level) {
        return strides[level];
    }

    /** Points of {@code level} on an {@code h × w} feature map. */
    public float[] points(int level, int h, int w) {
        if (level < 0 || level >= strides.length || h < 0 || w < 0) {
            throw new IllegalArgumentException("level " + level + " of " + strides.length + ", size " + h + "x" + w);
        }
        int s = strides[level];
        float[] out = new float[h * w * 2];
        int k = 0;
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                out[k++] = j * s + s / 2;
                out[k++] = i * s + s / 2;
            }
        }
        return out;
    }
}
