package org.aligndet.trainer.data;

/**
 * One object (or one proposal) of an image, in that image's original pixel frame.
 *
 * <p>Coordinates are continuous, 0-based, xyxy: the box covers {@code [x1, x2) x [y1, y2)}, so
 * {@code width = x2 - x1} (COCO's {@code [x, y, w, h]} maps as {@code x2 = x + w}). VOC's 1-based
 * inclusive integers map as {@code x1 = xmin - 1, x2 = xmax} (see the VOC reader).
 *
 * @param label      contiguous class index {@code 0..K-1}; {@code -1} for a proposal without class
 * @param categoryId the dataset's own category id (COCO) or class index (VOC); {@code -1} if none
 * @param id         annotation id (COCO), object index (VOC) or proposal index: the instance id that
 *                   AlignDet's box-level contrast uses to pair views
 * @param crowd      COCO {@code iscrowd}
 * @param difficult  VOC {@code difficult}
 * @param ignore     COCO {@code ignore} flag or any other reason to leave it out of training targets
 * @param area       the annotation's own area (COCO {@code area}, used for evaluation ranges);
 *                   {@code NaN} when the source has none
 */
public record Instance(float x1, float y1, float x2, float y2, int label, int categoryId, long id,
                       boolean crowd, boolean difficult, boolean ignore, double area) {

    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    /** A plain box with a class label: not crowd, not difficult, not ignored, area from the box. */
    public static Instance box(float x1, float y1, float x2, float y2, int label, long id) {
        return new Instance(x1, y1, x2, y2, label, label, id, false, false, false, (double) (x2 - x1) * (y2 - y1));
    }
}
