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
import org.aligndet.trainer.mask.Rle;
import org.aligndet.trainer.mask.Segmentation;

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
 *
 * <p>Mask results ({@link #readMasks}, {@link Builder#addMask}) carry each entry's mask as well,
 * held as its compressed RLE string (a few hundred bytes per mask), and the {@code area} the
 * area ranges use (see {@link #readMasks}). Box entries' area is {@code w * h}, as pycocotools'
 * {@code loadRes} sets it.
 */
public final class CocoDetections {
    final long[] imageId;
    final long[] categoryId;
    final double[] x;
    final double[] y;
    final double[] w;
    final double[] h;
    final double[] score;
    /** What the area ranges compare: {@code w * h}, or for mask results as {@link #readMasks} says. */
    final double[] area;
    /** Each entry's mask as a compressed RLE string with its size, or null when the entries have no masks. */
    final String[] maskCounts;
    final int[] maskHeight;
    final int[] maskWidth;

    private CocoDetections(Builder b) {
        int n = b.size;
        imageId = Arrays.copyOf(b.imageId, n);
        categoryId = Arrays.copyOf(b.categoryId, n);
        x = Arrays.copyOf(b.x, n);
        y = Arrays.copyOf(b.y, n);
        w = Arrays.copyOf(b.w, n);
        h = Arrays.copyOf(b.h, n);
        score = Arrays.copyOf(b.score, n);
        area = Arrays.copyOf(b.area, n);
        if (b.maskCounts != null) {
            if (b.masks != n) {
                throw new EvalInputException((n - b.masks) + " of " + n + " detections have no mask while others have one");
            }
            maskCounts = Arrays.copyOf(b.maskCounts, n);
            maskHeight = Arrays.copyOf(b.maskHeight, n);
            maskWidth = Arrays.copyOf(b.maskWidth, n);
        } else {
            maskCounts = null;
            maskHeight = null;
            maskWidth = null;
        }
    }

    /**
     * Reads a COCO mask results file (as mmdetection writes for {@code segm}), a JSON array of
     * {@code {image_id, category_id, segmentation, score}}, where {@code segmentation} is an RLE
     * {@code {size: [h, w], counts}} (a compressed string or a list of runs; polygons are not
     * accepted), with an optional {@code bbox}. Image ids must be integers.
     *
     * <p>As pycocotools' {@code loadRes}: when the first entry has a non-empty {@code bbox}, every
     * entry's area is its box's {@code w * h} (and every entry needs a box); otherwise it is the
     * mask's area and the box is the mask's bounding box. The area only decides which detections
     * an area range ignores (AP small/medium/large); matching uses the masks. Every error is an
     * {@link EvalInputException} naming the file and the entry.
     */
    public static CocoDetections readMasks(Path file) {
        Builder b = builder();
        boolean[] boxAreas = new boolean[1];
        try {
            CocoJson.results(file, false, true, r -> {
                String what = file + ": result #" + r.index() + " (image_id " + r.imageIdText() + ", category_id " + r.categoryId() + ")";
                if (r.index() == 0) {
                    boxAreas[0] = r.hasBox();
                }
                if (boxAreas[0] && !r.hasBox()) {
                    throw new EvalInputException(what + " has no bbox, but the first result has one; pycocotools then takes every "
                            + "detection's area from its bbox, so every result needs one (or none does)");
                }
                if (r.segmentation() instanceof Segmentation.Polygons) {
                    throw new EvalInputException(what + ": segmentation is polygons; mask results must be RLE {\"size\": [h, w], \"counts\": ...}");
                }
                Rle mask;
                try {
                    mask = r.segmentation().toRle(0, 0);
                } catch (IllegalArgumentException e) {
                    throw new EvalInputException(what + ": segmentation: " + e.getMessage(), e);
                }
                double[] box = r.hasBox() ? new double[]{r.x(), r.y(), r.w(), r.h()} : mask.bbox();
                double area = boxAreas[0] ? box[2] * box[3] : mask.area();
                try {
                    b.addMask(r.imageId(), r.categoryId(), box[0], box[1], box[2], box[3], r.score(), mask, area);
                } catch (EvalInputException e) {
                    throw new EvalInputException(file + ": " + e.getMessage(), e);
                }
            });
        } catch (DatasetException e) {
            throw new EvalInputException(e.getMessage(), e);
        }
        if (b.size() == 0) {
            throw new EvalInputException("results file " + file + " holds an empty list: no detections to evaluate");
        }
        return b.build();
    }

    /** Whether every entry has a mask (mask evaluation is possible). */
    public boolean hasMasks() {
        return maskCounts != null;
    }

    /** Entry i's mask ({@link #hasMasks()} must be true). */
    public Rle mask(int i) {
        return Rle.fromString(maskCounts[i], maskHeight[i], maskWidth[i]);
    }

    /** The area that the area ranges compare for entry i. */
    public double area(int i) {
        return area[i];
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
        private double[] area = new double[64];
        private String[] maskCounts;
        private int[] maskHeight;
        private int[] maskWidth;
        private int masks;
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
            area[size] = bw * bh;
            size++;
            return this;
        }

        /**
         * Adds a detection with its mask; {@code area} is what the area ranges compare (the mask's
         * or the box's area, see {@link CocoDetections#readMasks}). Either every entry has a mask
         * or none has.
         */
        public Builder addMask(long image, long category, double bx, double by, double bw, double bh, double s, Rle mask, double area) {
            if (!(area >= 0) || Double.isInfinite(area)) {
                throw new EvalInputException("detection #" + size + " (image_id " + image + ", category_id " + category
                        + ") has area " + area + "; it must be a finite number >= 0");
            }
            add(image, category, bx, by, bw, bh, s);
            int i = size - 1;
            if (maskCounts == null) {
                maskCounts = new String[score.length];
                maskHeight = new int[score.length];
                maskWidth = new int[score.length];
            }
            maskCounts[i] = mask.toString();
            maskHeight[i] = mask.height();
            maskWidth[i] = mask.width();
            this.area[i] = area;
            masks++;
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
            area = Arrays.copyOf(area, n);
            if (maskCounts != null) {
                maskCounts = Arrays.copyOf(maskCounts, n);
                maskHeight = Arrays.copyOf(maskHeight, n);
                maskWidth = Arrays.copyOf(maskWidth, n);
            }
        }

        public CocoDetections build() {
            return new CocoDetections(this);
        }
    }
}
