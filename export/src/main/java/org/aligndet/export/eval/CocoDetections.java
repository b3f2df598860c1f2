package org.aligndet.export.eval;

import java.util.Arrays;

/**
 * Detections in COCO results form: image id, category id, {@code [x, y, w, h]} box in pixels and
 * score, in input order (input order breaks score ties, as in pycocotools). Every entry has a
 * finite box with {@code w, h >= 0} and a finite score; ids are checked against the ground truth
 * by {@link CocoEvaluator}. An empty instance means "no detections": every AP is 0 (or -1).
 */
public final class CocoDetections {
    final long[] imageId;
    final long[] categoryId;
    final double[] x;
    final double[] y;
    final double[] w;
    final double[] h;
    final double[] score;

    private CocoDetections(Builder b) {
        int n = b.size;
        imageId = Arrays.copyOf(b.imageId, n);
        categoryId = Arrays.copyOf(b.categoryId, n);
        x = Arrays.copyOf(b.x, n);
        y = Arrays.copyOf(b.y, n);
        w = Arrays.copyOf(b.w, n);
        h = Arrays.copyOf(b.h, n);
        score = Arrays.copyOf(b.score, n);
    }

    public static CocoDetections empty() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return score.length;
    }

    public long imageId(int i) {
        return imageId[i];
    }

    public long categoryId(int i) {
        return categoryId[i];
    }

    /** Box of entry i as {@code [x, y, w, h]}. */
    public double[] bbox(int i) {
        return new double[]{x[i], y[i], w[i], h[i]};
    }

    public double score(int i) {
        return score[i];
    }

    /** Appends detections; {@link #add} rejects NaN or infinite values and negative sizes, naming the entry index. */
    public static final class Builder {
        private long[] imageId = new long[64];
        private long[] categoryId = new long[64];
        private double[] x = new double[64];
        private double[] y = new double[64];
        private double[] w = new double[64];
        private double[] h = new double[64];
        private double[] score = new double[64];
        private int size;

        private Builder() {
        }

        /** Adds entry number {@link #size()}; the box is COCO {@code [x, y, w, h]}. */
        public Builder add(long image, long category, double bx, double by, double bw, double bh, double s) {
            String what = "detection #" + size + " (image_id " + image + ", category_id " + category + ")";
            if (Double.isNaN(s) || Double.isInfinite(s)) {
                throw new EvalInputException(what + " has score " + s + "; scores must be finite numbers");
            }
            if (!(Double.isFinite(bx) && Double.isFinite(by) && Double.isFinite(bw) && Double.isFinite(bh))) {
                throw new EvalInputException(what + " has a non-finite bbox " + Arrays.toString(new double[]{bx, by, bw, bh}));
            }
            if (bw < 0 || bh < 0) {
                throw new EvalInputException(what + " has a negative width or height: bbox [x, y, w, h] = "
                        + Arrays.toString(new double[]{bx, by, bw, bh}) + " (COCO results boxes are [x, y, width, height], not [x1, y1, x2, y2])");
            }
            if (size == score.length) {
                grow();
            }
            imageId[size] = image;
            categoryId[size] = category;
            x[size] = bx;
            y[size] = by;
            w[size] = bw;
            h[size] = bh;
            score[size] = s;
            size++;
            return this;
        }

        public int size() {
            return size;
        }

        private void grow() {
            int n = score.length * 2;
            imageId = Arrays.copyOf(imageId, n);
            categoryId = Arrays.copyOf(categoryId, n);
            x = Arrays.copyOf(x, n);
            y = Arrays.copyOf(y, n);
            w = Arrays.copyOf(w, n);
            h = Arrays.copyOf(h, n);
            score = Arrays.copyOf(score, n);
        }

        public CocoDetections build() {
            return new CocoDetections(this);
        }
    }
}
