package org.aligndet.trainer.augment;

/**
 * A float image, CHW row-major: {@code data[(c * height + y) * width + x]}, {@code data.length ==
 * channels * height * width}. For network inputs {@code c} runs over R, G, B.
 *
 * <p>{@code data} is null in an image whose pixels were handed on ({@link #withoutPixels()}): a
 * batch's samples keep only their views' shapes once the pixels are copied into the batch tensor.
 */
public record ImageTensor(int channels, int height, int width, float[] data) {
    public ImageTensor {
        if (data != null && data.length != channels * height * width) {
            throw new IllegalArgumentException("tensor " + channels + "x" + height + "x" + width + " needs " + channels * height * width + " floats, got " + data.length);
        }
    }

    public float get(int c, int y, int x) {
        if (data == null) {
            throw new IllegalStateException("this " + channels + "x" + height + "x" + width
                    + " image kept only its shape: its pixels are in the batch tensor");
        }
        return data[(c * height + y) * width + x];
    }

    /** The same shape without the pixels ({@code data} null). */
    public ImageTensor withoutPixels() {
        return data == null ? this : new ImageTensor(channels, height, width, null);
    }
}
