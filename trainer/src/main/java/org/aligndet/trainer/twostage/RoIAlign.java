package org.aligndet.trainer.twostage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.aligndet.bridge.tensor.SparseEntries;

/**
 * RoIAlign with torchvision's {@code roi_align} semantics (torchvision 0.14, the CPU/CUDA kernels),
 * written with core torch ops so that it runs through DJL, which cannot load torchvision's custom ops.
 *
 * <p>Per RoI {@code (b, x1, y1, x2, y2)} (image pixels) and feature map of scale {@code s}:
 * <ul>
 *   <li>start {@code x1 * s - offset}, end {@code x2 * s - offset}, {@code offset = 0.5} when
 *       {@code aligned} (the half-pixel shift), else 0 and the RoI size is raised to at least 1;</li>
 *   <li>bin size {@code roiSize / outSize}; samples per bin and axis {@code samplingRatio}, or when it
 *       is 0 (adaptive) {@code ceil(roiSize / outSize)} for each RoI; sample {@code i} of bin {@code p}
 *       at {@code start + p * bin + (i + 0.5) * bin / grid};</li>
 *   <li>bilinear interpolation: a sample with {@code y < -1}, {@code y > H}, {@code x < -1} or
 *       {@code x > W} contributes 0; otherwise coordinates below 0 are raised to 0, and a sample at or
 *       beyond the last row (column) reads that row (column) only;</li>
 *   <li>each bin is the mean over its {@code max(gridH * gridW, 1)} samples (an empty RoI gives 0).</li>
 * </ul>
 *
 * <p>Formulation: the output is linear in the features, so the weights are worked out on the host as
 * a sparse matrix {@code [K * outH * outW, N * H * W]} and applied with one sparse-dense matmul to the
 * features laid out as {@code [N * H * W, C]}; autograd takes the features' gradient through the same
 * matrix (transposed), so no loop per RoI runs on the device. The bilinear weights of a bin factor into a
 * row part times a column part (the zero rule too), so each bin's entries are the outer product of its
 * distinct rows and columns, about {@code (gridH + 1) (gridW + 1)} entries instead of
 * {@code 4 gridH gridW}. RoI coordinates are not differentiated (as in torchvision's backward).
 */
public final class RoIAlign {
    private final int outH;
    private final int outW;
    private final int samplingRatio;
    private final boolean aligned;

    /**
     * @param samplingRatio samples per bin and axis, or 0 for torchvision's adaptive {@code ceil(roiSize / outSize)}
     * @param aligned       the half-pixel offset ({@code aligned=True}, mmdetection's default)
     */
    public RoIAlign(int outH, int outW, int samplingRatio, boolean aligned) {
        if (outH <= 0 || outW <= 0 || samplingRatio < 0) {
            throw new IllegalArgumentException("output " + outH + "x" + outW + ", sampling ratio " + samplingRatio);
        }
        this.outH = outH;
        this.outW = outW;
        this.samplingRatio = samplingRatio;
        this.aligned = aligned;
    }

    /** mmdetection's RoI layer: aligned, adaptive sampling, square output. */
    public static RoIAlign mmdetection(int outSize) {
        return new RoIAlign(outSize, outSize, 0, true);
    }

    public int outH() {
        return outH;
    }

    public int outW() {
        return outW;
    }

    /**
     * @param feats        {@code [N, C, H, W]} float32
     * @param rois         {@code float[K * 5]}: batch index, x1, y1, x2, y2 in input pixels
     * @param spatialScale feature cells per input pixel (1 / stride)
     * @return {@code [K, C, outH, outW]}
     */
    public NDArray apply(NDArray feats, float[] rois, float spatialScale) {
        long[] s = shapeOf(feats);
        int k = count(rois);
        Coo coo = new Coo();
        for (int r = 0; r < k; r++) {
            addWeights(coo, rois, r, spatialScale, (int) s[0], (int) s[2], (int) s[3]);
        }
        NDArray flat = flatten(feats);
        NDArray out = coo.times(flat, (long) k * outH * outW);
        return unflatten(out, k, s[1]);
    }

    /**
     * RoI rows {@code (batch index, x1, y1, x2, y2)} from per-image boxes ({@code float[n_i * 4]} xyxy),
     * image after image: the {@code rois} argument of {@link #apply} and {@link RoiExtractor#apply}.
     */
    public static float[] withBatchIndex(java.util.List<float[]> boxesPerImage) {
        int total = 0;
        for (float[] b : boxesPerImage) {
            total += org.aligndet.trainer.box.Boxes.count(b, "boxes");
        }
        float[] out = new float[5 * total];
        int r = 0;
        for (int i = 0; i < boxesPerImage.size(); i++) {
            float[] b = boxesPerImage.get(i);
            for (int j = 0; j < b.length / 4; j++, r++) {
                out[5 * r] = i;
                System.arraycopy(b, 4 * j, out, 5 * r + 1, 4);
            }
        }
        return out;
    }

    static int count(float[] rois) {
        if (rois.length % 5 != 0) {
            throw new IllegalArgumentException("rois need 5 values each (batch, x1, y1, x2, y2), got " + rois.length);
        }
        return rois.length / 5;
    }

    static long[] shapeOf(NDArray feats) {
        if (feats.getShape().dimension() != 4 || feats.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("features must be float32 [N, C, H, W], got "
                    + feats.getDataType() + " " + feats.getShape());
        }
        return feats.getShape().getShape();
    }

    /** {@code [N, C, H, W]} → {@code [N * H * W, C]}, the rows the weight matrix's columns address. */
    static NDArray flatten(NDArray feats) {
        long[] s = feats.getShape().getShape();
        return feats.transpose(0, 2, 3, 1).reshape(s[0] * s[2] * s[3], s[1]);
    }

    /** {@code [K * outH * outW, C]} → {@code [K, C, outH, outW]}. */
    NDArray unflatten(NDArray rows, int k, long c) {
        return rows.reshape(k, outH, outW, c).transpose(0, 3, 1, 2);
    }

    /**
     * Appends RoI {@code r}'s bilinear weights: output rows {@code r * outH * outW + bin}, feature
     * columns {@code b * H * W + y * W + x}.
     */
    void addWeights(Coo coo, float[] rois, int r, float scale, int n, int h, int w) {
        int b = (int) rois[5 * r];
        if (b < 0 || b >= n || rois[5 * r] != b) {
            throw new IllegalArgumentException("roi " + r + ": batch index " + rois[5 * r] + " of " + n + " images");
        }
        float offset = aligned ? 0.5f : 0f;
        float x1 = rois[5 * r + 1] * scale - offset;
        float y1 = rois[5 * r + 2] * scale - offset;
        float x2 = rois[5 * r + 3] * scale - offset;
        float y2 = rois[5 * r + 4] * scale - offset;
        float rw = x2 - x1;
        float rh = y2 - y1;
        if (!aligned) {
            rw = Math.max(rw, 1f);
            rh = Math.max(rh, 1f);
        }
        float binH = rh / outH;
        float binW = rw / outW;
        int gridH = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(rh / outH);
        int gridW = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(rw / outW);
        if (gridH <= 0 || gridW <= 0) {
            return; // no samples: the bins stay 0 (torchvision divides a zero sum by max(count, 1))
        }
        Axis ys = axis(y1, binH, gridH, outH, h);
        Axis xs = axis(x1, binW, gridW, outW, w);
        float norm = 1f / ((float) gridH * gridW);
        long rowBase = (long) r * outH * outW;
        long colBase = (long) b * h * w;
        for (int ph = 0; ph < outH; ph++) {
            for (int pw = 0; pw < outW; pw++) {
                long row = rowBase + (long) ph * outW + pw;
                for (int i = ys.from[ph]; i < ys.from[ph + 1]; i++) {
                    float wy = ys.weight[i] * norm;
                    long yOff = colBase + (long) ys.index[i] * w;
                    for (int j = xs.from[pw]; j < xs.from[pw + 1]; j++) {
                        coo.add(row, yOff + xs.index[j], wy * xs.weight[j]);
                    }
                }
            }
        }
    }

    /** Per bin of one axis: the distinct feature indices its samples read and their summed weights. */
    private record Axis(int[] from, int[] index, float[] weight) {
    }

    private static Axis axis(float start, float bin, int grid, int out, int size) {
        int[] from = new int[out + 1];
        int[] index = new int[out * (grid + 1) + 2 * out];
        float[] weight = new float[index.length];
        float[] acc = new float[size];
        int n = 0;
        for (int p = 0; p < out; p++) {
            int lo = Integer.MAX_VALUE, hi = -1;
            for (int i = 0; i < grid; i++) {
                float v = start + p * bin + (i + .5f) * bin / grid;
                if (v < -1f || v > size) {
                    continue; // outside: the sample contributes 0
                }
                if (v <= 0) {
                    v = 0;
                }
                int low = (int) v;
                int high;
                if (low >= size - 1) {
                    high = low = size - 1;
                    v = low;
                } else {
                    high = low + 1;
                }
                float l = v - low;
                acc[low] += 1f - l;
                acc[high] += l;
                lo = Math.min(lo, low);
                hi = Math.max(hi, high);
            }
            for (int q = lo; q <= hi; q++) {
                if (acc[q] != 0f) {
                    if (n == index.length) {
                        index = Arrays.copyOf(index, 2 * n);
                        weight = Arrays.copyOf(weight, 2 * n);
                    }
                    index[n] = q;
                    weight[n++] = acc[q];
                    acc[q] = 0f;
                }
            }
            from[p + 1] = n;
        }
        return new Axis(from, index, weight);
    }

    /** A sparse matrix in coordinate form, built on the host, applied to a dense matrix on the features' device. */
    static final class Coo {
        private final SparseEntries entries = new SparseEntries(1024);

        void add(long row, long col, float v) {
            entries.add(row, col, v);
        }

        int size() {
            return entries.size();
        }

        /** {@code this [numRows, dense rows] @ dense}, differentiable in {@code dense}. */
        NDArray times(NDArray dense, long numRows) {
            NDManager m = dense.getManager();
            Shape shape = new Shape(numRows, dense.getShape().get(0));
            long[][] idx = {entries.rows(), entries.cols()};
            // createCoo wraps Java buffers; autograd keeps the matrix for backward, so hold an owned copy
            // (see NdTensors.ownedIndex)
            try (NDArray wrapped = m.createCoo(FloatBuffer.wrap(entries.values()), idx, shape)) {
                NDArray matrix = wrapped.duplicate();
                return matrix.matMul(dense);
            }
        }
    }
}
