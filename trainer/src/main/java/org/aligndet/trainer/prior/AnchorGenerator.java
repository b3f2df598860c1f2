package org.aligndet.trainer.prior;

/**
 * Anchors per pyramid level with mmdetection's {@code AnchorGenerator} (v2) semantics.
 *
 * <p>Base anchors of a level (stride s): scales {@code octaveBaseScale * 2^(i / scalesPerOctave)},
 * {@code h_ratio = sqrt(r)}, {@code w_ratio = 1 / h_ratio}, {@code w = s * w_ratio * scale},
 * {@code h = s * h_ratio * scale}, centred at {@code (centerOffset * s, centerOffset * s)}; ordered
 * ratio-major, then scale. The grid shifts them by {@code (x * s, y * s)}.
 *
 * <p>Output order: location-major (row-major over {@code y, x}), then anchor:
 * row {@code (y * w + x) * A + a}. Coordinates are xyxy pixels of the padded input.
 */
public final class AnchorGenerator {
    private final int[] strides;
    private final float[][] base; // per level: A*4

    /**
     * @param octaveBaseScale RetinaNet: 4
     * @param scalesPerOctave RetinaNet: 3
     * @param ratios          h/w ratios, RetinaNet: 0.5, 1, 2
     * @param strides         one per level, RetinaNet: 8, 16, 32, 64, 128
     * @param centerOffset    0 for mmdetection's RetinaNet, 0.5 to centre anchors in their cell
     */
    public AnchorGenerator(double octaveBaseScale, int scalesPerOctave, double[] ratios, int[] strides, double centerOffset) {
        if (scalesPerOctave < 1 || ratios.length == 0 || strides.length == 0) {
            throw new IllegalArgumentException("need at least one scale, one ratio and one stride");
        }
        this.strides = strides.clone();
        float[] scales = new float[scalesPerOctave];
        for (int i = 0; i < scalesPerOctave; i++) {
            scales[i] = (float) Math.pow(2, (double) i / scalesPerOctave) * (float) octaveBaseScale;
        }
        base = new float[strides.length][];
        for (int l = 0; l < strides.length; l++) {
            float s = strides[l];
            float c = (float) centerOffset * s;
            float[] b = new float[ratios.length * scales.length * 4];
            int k = 0;
            for (double r : ratios) {
                float hr = (float) Math.sqrt((float) r);
                float wr = 1f / hr;
                for (float scale : scales) {
                    float w = s * wr * scale, h = s * hr * scale;
                    b[k++] = c - 0.5f * w;
                    b[k++] = c - 0.5f * h;
                    b[k++] = c + 0.5f * w;
                    b[k++] = c + 0.5f * h;
                }
            }
            base[l] = b;
        }
    }

    /** RetinaNet's anchors: octave base scale 4, 3 scales per octave, ratios 0.5/1/2, offset 0. */
    public static AnchorGenerator retinaNet(int[] strides) {
        return new AnchorGenerator(4, 3, new double[] {0.5, 1.0, 2.0}, strides, 0.0);
    }

    /** Anchors per location (A = ratios × scales). */
    public int numAnchors() {
        return base[0].length / 4;
    }

    public int numLevels() {
        return strides.length;
    }

    public int stride(int level) {
        return strides[level];
    }

    /** Anchors of {@code level} on an {@code h × w} feature map: {@code float[h*w*A*4]}, xyxy, order above. */
    public float[] anchors(int level, int h, int w) {
        if (level < 0 || level >= strides.length || h < 0 || w < 0) {
            throw new IllegalArgumentException("level " + level + " of " + strides.length + ", size " + h + "x" + w);
        }
        float[] b = base[level];
        int a = b.length / 4;
        float s = strides[level];
        float[] out = new float[h * w * a * 4];
        int k = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float sx = x * s, sy = y * s;
                for (int j = 0; j < a; j++) {
                    out[k++] = b[4 * j] + sx;
                    out[k++] = b[4 * j + 1] + sy;
                    out[k++] = b[4 * j + 2] + sx;
                    out[k++] = b[4 * j + 3] + sy;
                }
            }
        }
        return out;
    }
}
