package org.aligndet.trainer.synth;

import java.util.List;

/**
 * A rendered synthetic image: {@code height x width x 3} BGR bytes and its objects, listed in drawing
 * order (later ones occlude earlier ones).
 */
record Scene(int width, int height, byte[] bgr, List<Placed> objects) {

    /**
     * One drawn object and what is visible of it. The box is the tight box of the object's visible
     * pixels, {@code [x1, x2) x [y1, y2)} in 0-based pixel coordinates (COCO's convention: boxes
     * bound the visible extent); areas are pixel counts.
     */
    record Placed(ShapeClass shape, int x1, int y1, int x2, int y2, int visibleArea, int fullArea) {
        double visibleFraction() {
            return visibleArea / (double) fullArea;
        }
    }
}
