package org.aligndet.export.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntToLongFunction;
import org.aligndet.trainer.data.CocoJson;
import org.aligndet.trainer.data.DatasetException;
import org.aligndet.trainer.infer.Detections;

/**
 * Detections in COCO results form, the COCO evaluator's input: image id, category id,
 * {@code [x, y, w, h]} box in pixels and score, float64 (pycocotools reads results files in
 * float64), in input order (input order breaks score ties, as in pycocotools). Every entry has a
 * finite box with {@code w, h >= 0} and a finite score; ids are checked against the ground truth
 * by {@link CocoEvaluator}. An empty instance means "no detections": every AP is 0 (or -1).
 *
 * <p>Comes from a results file ({@link #read}) or from a model's {@link Detections}, the project's
 * one detection record, in one of two explicitly named ways ({@link Builder#add(Detections, long[])}
 * and {@link Builder#addAsWritten}).
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

    /**
     * Reads a COCO results file, a JSON array of {@code {image_id, category_id, bbox, score}}
     * ({@link CocoJson#results}); image ids must be integers. An empty array is an error: it is
     * almost always a failed inference run, and pycocotools cannot load it either.
     */
    public static CocoDetections read(Path file) {
        return read(file, null);
    }

    /**
     * As {@link #read(Path)}, with {@code imageIds} mapping the text of each {@code image_id}
     * (a string, or a number's decimal text) onto an image id, or onto {@code null} when unknown.
     * All unknown ids are reported together, with a count and examples. Every error is an
     * {@link EvalInputException} naming the file.
     */
    public static CocoDetections read(Path file, Function<String, Long> imageIds) {
        Builder b = builder();
        List<String> unknown = new ArrayList<>();
        int[] unknownCount = {0};
        try {
            CocoJson.results(file, imageIds != null, r -> {
                Long image = imageIds == null ? r.imageId() : imageIds.apply(r.imageIdText());
                if (image == null) {
                    if (unknown.size() < 5) {
                        unknown.add("'" + r.imageIdText() + "' at #" + r.index());
                    }
                    unknownCount[0]++;
                    return;
                }
                b.add(image, r.categoryId(), r.x(), r.y(), r.w(), r.h(), r.score());
            });
        } catch (DatasetException e) {
            throw new EvalInputException(e.getMessage(), e);
        } catch (EvalInputException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : new EvalInputException(file + ": " + e.getMessage(), e);
        }
        if (unknownCount[0] > 0) {
            throw new EvalInputException(file + ": " + unknownCount[0] + " detections have an unknown image_id (e.g. " + String.join(", ", unknown) + ")");
        }
        if (b.size() == 0) {
            throw new EvalInputException("results file " + file + " holds an empty list: no detections to evaluate "
                    + "(check the inference run; to score zero detections programmatically use CocoDetections.empty())");
        }
        return b.build();
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

        /**
         * Adds one image's detections as the float32 values they are, each widened exactly:
         * bbox {@code [x1, y1, x2 - x1, y2 - y1]} (differences in float64), score as is. For
         * scoring in memory (fine-tuning validation, the cross-runtime check).
         *
         * @param categoryOfLabel {@code category_id} of each label
         * @throws IllegalStateException when {@code d} carries no image id, or a label has no category
         */
        public Builder add(Detections d, long[] categoryOfLabel) {
            if (d.imageId() == Detections.NO_ID && d.size() > 0) {
                throw new IllegalStateException("detections of '" + d.key() + "' carry no image id; set one with withImage");
            }
            float[] b = d.boxes();
            for (int i = 0; i < d.size(); i++) {
                int label = d.labels()[i];
                if (label < 0 || label >= categoryOfLabel.length) {
                    throw new IllegalStateException("detection " + i + " of '" + d.key() + "' has label " + label
                            + ", which has no category id (" + categoryOfLabel.length + " known)");
                }
                float x1 = b[4 * i], y1 = b[4 * i + 1];
                add(d.imageId(), categoryOfLabel[label], x1, y1, (double) b[4 * i + 2] - x1, (double) b[4 * i + 3] - y1, d.scores()[i]);
            }
            return this;
        }

        /**
         * Adds one image's detections as a results file holds them ({@link AsWritten}): each value
         * the float's shortest decimal, width and height at least 0. Scoring these gives the same
         * numbers as scoring the written file.
         *
         * @param categoryOf {@code category_id} of each label
         */
        public Builder addAsWritten(Detections d, IntToLongFunction categoryOf) {
            for (int i = 0; i < d.size(); i++) {
                double[] box = AsWritten.xywh(d, i);
                add(d.imageId(), categoryOf.applyAsLong(d.labels()[i]), box[0], box[1], box[2], box[3], AsWritten.decimal(d.scores()[i]));
            }
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
