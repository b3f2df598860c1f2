package org.aligndet.trainer.mask;

import java.util.ArrayList;
import java.util.List;

/**
 * A COCO {@code segmentation} field as written, in one of its three forms, turned into a mask by
 * {@link #toRle} the way pycocotools' {@code annToRLE} does.
 */
public sealed interface Segmentation {
    /**
     * The mask on an image of {@code imageHeight x imageWidth} pixels (polygons are rasterised at
     * that size; RLE forms carry their own size).
     *
     * @throws IllegalArgumentException when the segmentation is malformed, saying how
     */
    Rle toRle(int imageHeight, int imageWidth);

    /**
     * Polygons {@code [[x1, y1, x2, y2, ...], ...]}: each rasterised by {@link Rle#fromPolygon},
     * then merged ({@link Rle#union}). As in pycocotools, when the first polygon has exactly 4
     * numbers the list is read as boxes {@code [x, y, w, h]} ({@link Rle#fromBox}), and then every
     * entry must have 4.
     */
    record Polygons(List<double[]> polygons) implements Segmentation {
        public Polygons {
            polygons = List.copyOf(polygons);
        }

        @Override
        public Rle toRle(int imageHeight, int imageWidth) {
            if (polygons.isEmpty()) {
                throw new IllegalArgumentException("segmentation is an empty list of polygons");
            }
            if (imageHeight <= 0 || imageWidth <= 0) {
                throw new IllegalArgumentException("polygons need the image's width and height, and the image has none");
            }
            int first = polygons.get(0).length;
            boolean boxes = first == 4;
            if (!boxes && first < 6) {
                throw new IllegalArgumentException("the first polygon has " + first + " numbers; a polygon needs at least 3 points "
                        + "(6 numbers), or exactly 4 numbers for a box [x, y, w, h]");
            }
            List<Rle> parts = new ArrayList<>(polygons.size());
            for (int i = 0; i < polygons.size(); i++) {
                double[] p = polygons.get(i);
                try {
                    if (boxes) {
                        if (p.length != 4) {
                            throw new IllegalArgumentException("has " + p.length + " numbers, but the first entry has 4, which makes the "
                                    + "list boxes [x, y, w, h] (as pycocotools reads it)");
                        }
                        parts.add(Rle.fromBox(p[0], p[1], p[2], p[3], imageHeight, imageWidth));
                    } else {
                        parts.add(Rle.fromPolygon(p, imageHeight, imageWidth));
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("polygon " + i + ": " + e.getMessage(), e);
                }
            }
            return Rle.union(parts);
        }
    }

    /** Uncompressed RLE {@code {"size": [h, w], "counts": [runs...]}}. */
    record Counts(int height, int width, long[] counts) implements Segmentation {
        public Counts {
            counts = counts.clone();
        }

        @Override
        public Rle toRle(int imageHeight, int imageWidth) {
            try {
                return Rle.of(height, width, counts);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("RLE counts of size [" + height + ", " + width + "]: " + e.getMessage(), e);
            }
        }
    }

    /** Compressed RLE {@code {"size": [h, w], "counts": "string"}} ({@link Rle#fromString}). */
    record Compressed(int height, int width, String counts) implements Segmentation {
        @Override
        public Rle toRle(int imageHeight, int imageWidth) {
            try {
                return Rle.fromString(counts, height, width);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("compressed RLE of size [" + height + ", " + width + "]: " + e.getMessage(), e);
            }
        }
    }
}
