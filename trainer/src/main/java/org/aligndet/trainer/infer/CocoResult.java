package org.aligndet.trainer.infer;

/**
 * One entry of a COCO results file: {@code {"image_id", "category_id", "bbox": [x, y, w, h], "score"}},
 * in original-image pixels (0-based, continuous).
 */
public record CocoResult(long imageId, long categoryId, double[] bbox, double score) {
    public CocoResult {
        if (bbox.length != 4) {
            throw new IllegalArgumentException("bbox needs [x, y, w, h], got " + bbox.length + " values");
        }
    }
}
