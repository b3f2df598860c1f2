package org.aligndet.trainer.infer;

/**
 * One image made ready for a detector: resized keeping its ratio, padded bottom/right to a multiple
 * of the spec's divisor, as planar RGB {@code [3, paddedHeight, paddedWidth]}.
 *
 * @param raw        0-255 values, padding filled with the mean colour (the ONNX template's input,
 *                   which normalises inside, so its padding becomes exactly 0 as in training)
 * @param normalised {@code (v - mean) / std}, padding 0 (the TorchScript graph's input); null when
 *                   made by {@link Preprocessor#prepareRaw}, for the ONNX path only
 * @param scaleW     resized width / original width (as actually rounded)
 * @param scaleH     resized height / original height
 */
public record Prepared(String key, int originalWidth, int originalHeight, int validWidth, int validHeight,
                       int paddedWidth, int paddedHeight, float scaleW, float scaleH, float[] raw, float[] normalised) {

    /**
     * Maps a box from network-input pixels back to the original image and clips it to it:
     * {@code x / scaleW}, {@code y / scaleH}, clipped to {@code [0, W] x [0, H]}.
     */
    public float[] toOriginal(float x1, float y1, float x2, float y2) {
        return new float[] {
            clip(x1 / scaleW, originalWidth), clip(y1 / scaleH, originalHeight),
            clip(x2 / scaleW, originalWidth), clip(y2 / scaleH, originalHeight)};
    }

    private static float clip(float v, int max) {
        return Math.min(Math.max(v, 0f), max);
    }
}
