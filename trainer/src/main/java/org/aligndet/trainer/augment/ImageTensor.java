package org.aligndet.trainer.augment;

/**
 * A float image, CHW row-major: {@code data[(c * height + y) * width + x]}, {@code data.length ==
 * channels * height * width}. For network inputs {@code c} runs over R, G, B.
 */
public record ImageTensor(int channels, int height, int width, float[] data) {
    public ImageTensor {
        if (data.length != channels * height * width) {
            throw new IllegalArgumentException("tensor " + channels + "x" + height + "x" + width + " needs " + channels * height * width + " floats, got " + data.length);
        }
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }
}
