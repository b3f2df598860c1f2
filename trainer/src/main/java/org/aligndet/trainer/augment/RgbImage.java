package org.aligndet.trainer.augment;

/**
 * An 8-bit RGB image, interleaved HWC: the value of channel {@code c} at row {@code y}, column
 * {@code x} is {@code data[(y * width + x) * 3 + c] & 0xff}, with {@code c = 0, 1, 2} for R, G, B.
 * The photometric ops read and return these; none changes its input.
 */
public record RgbImage(int height, int width, byte[] data) {
    public RgbImage {
        if (data.length != height * width * 3) {
            throw new IllegalArgumentException("RGB image " + height + "x" + width + " needs " + height * width * 3 + " bytes, got " + data.length);
        }
    }

    public int get(int y, int x, int c) {
        return data[(y * width + x) * 3 + c] & 0xff;
    }
}
