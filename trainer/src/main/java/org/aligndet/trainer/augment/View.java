package org.aligndet.trainer.augment;

/**
 * One augmented view of an image.
 *
 * @param image        normalised RGB, CHW, padded to a multiple of the divisor
 * @param validHeight  rows of {@code image} that hold pixels (the rest is padding)
 * @param validWidth   columns that hold pixels
 * @param scaleW       applied resize factor in x ({@code validWidth / original width})
 * @param scaleH       applied resize factor in y
 * @param flipped      whether the view was mirrored (after resizing)
 * @param photometric  the colour op and magnitude applied ({@code IDENTITY} when disabled)
 * @param boxes        the input boxes in this view's pixel frame, clipped to
 *                     {@code [0, validWidth] x [0, validHeight]}, degenerate ones dropped, ids kept
 */
public record View(ImageTensor image, int validHeight, int validWidth, float scaleW, float scaleH,
                   boolean flipped, PhotometricOp.Choice photometric, BoxList boxes) {

    /** This view with its image's shape only (see {@link ImageTensor#withoutPixels()}). */
    public View withoutPixels() {
        return new View(image.withoutPixels(), validHeight, validWidth, scaleW, scaleH, flipped, photometric, boxes);
    }

    /** Maps a box of this view back to the original image frame: {@code [x1, y1, x2, y2]}. */
    public float[] toOriginal(float x1, float y1, float x2, float y2) {
        if (flipped) {
            float t = x1;
            x1 = validWidth - x2;
            x2 = validWidth - t;
        }
        return new float[] {x1 / scaleW, y1 / scaleH, x2 / scaleW, y2 / scaleH};
    }
}
