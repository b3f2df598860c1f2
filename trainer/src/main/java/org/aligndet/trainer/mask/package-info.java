/**
 * Instance masks as COCO writes them: {@link org.aligndet.trainer.mask.Rle}, the column-major
 * run-length encoding with pycocotools' compressed string form, polygon rasterisation, union and
 * IoU; and {@link org.aligndet.trainer.mask.Segmentation}, a {@code segmentation} field as parsed
 * (polygons, uncompressed or compressed RLE). Facts from pycocotools' {@code maskApi}, so that
 * areas and IoUs are the same numbers.
 */
package org.aligndet.trainer.mask;
