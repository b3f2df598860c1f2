package org.aligndet.trainer.loader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.aligndet.bridge.torch.NdTensors;

/**
 * Images of one batch and one view, {@code [batch, channels, height, width]} row-major; each image
 * sits top-left and the rest is zero (the padding value after normalisation).
 */
public record BatchTensor(int batch, int channels, int height, int width, float[] data) {
    public BatchTensor {
        if (data.length != batch * channels * height * width) {
            throw new IllegalArgumentException("batch tensor shape does not match " + data.length + " floats");
        }
    }

    /** The batch as a {@code [B, C, H, W]} float array on the manager's device, in storage libtorch owns. */
    public NDArray toNd(NDManager manager) {
        return NdTensors.floats(manager, data, new Shape(batch, channels, height, width));
    }

    public float get(int b, int c, int y, int x) {
        return data[((b * channels + c) * height + y) * width + x];
    }
}
