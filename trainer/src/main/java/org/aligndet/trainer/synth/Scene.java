package org.aligndet.trainer.synth;

import java.util.List;

/**
 * A rendered synthetic image: {@code height x width x 3} BGR bytes and its objects, listed in drawing
 * order (later ones occlude earlier ones). {@code owner[y * width + x]} is the index of the object
 * drawn at that pixel, or -1 for background.
 */
record Scene(int width, int height, byte[] bgr, List<Placed> objects, int[] owner) {

    /**
     * One drawn object and what is visible of it. The box is the tight box of the object's visible
     * pixels, {@code [x1, x2) x [y1, y2)} in 0-based pixel coordinates (COCO's convention: boxes
     * bound the visible extent); areas are pixel counts. {@code polygons} is the COCO
     * {@code segmentation} of the visible pixels: the shape's outline ({@link SceneObject#outline})
     * when nothing hides any of it; when later objects hide part of it, the visible pixels exactly,
     * as rectangles along pixel edges (each row's runs, runs of equal extent in consecutive rows
     * merged), since clipping outlines against each other is not worth its code here.
     */
    record Placed(ShapeClass shape, int x1, int y1, int x2, int y2, int visibleArea, int fullArea, List<double[]> polygons) {
        double visibleFraction() {
            return visibleArea / (double) fullArea;
        }
    }
}
