/**
 * Instance masks as COCO writes them: {@link org.aligndet.trainer.mask.Rle}, the column-major
 * run-length encoding with pycocotools' compressed string form, polygon rasterisation, union and
 * IoU; and {@link org.aligndet.trainer.mask.Segmentation}, a {@code segmentation} field as parsed
 * (polygons, uncompressed or compressed RLE). Facts from pycocotools' {@code maskApi}, so that
 * areas and IoUs are the same numbers.
 *
 * <p>Mask R-CNN's mask side, mmdetection 2.x semantics, host-side where that is cheap:
 * {@link org.aligndet.trainer.mask.MaskGeometry} (how a view's mask pixels come from the original),
 * {@link org.aligndet.trainer.mask.MaskTargets} (28 x 28 targets of the positive RoIs),
 * {@link org.aligndet.trainer.mask.MaskLoss} (the mask BCE, DJL ops) and
 * {@link org.aligndet.trainer.mask.MaskPaste} (probability maps pasted into the image, thresholded, RLE).
 * References: {@code model-specs/generator/mask_fixtures.py}.
 */
package org.aligndet.trainer.mask;
