package org.aligndet.export.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * COCO evaluation with pycocotools {@code COCOeval(gt, dt, iouType)} semantics, default
 * {@code Params}, all GT images and categories: {@code evaluate(); accumulate(); summarize()}.
 * {@link IouType#BBOX} (the default) overlaps boxes; {@link IouType#SEGM} overlaps masks
 * ({@link org.aligndet.trainer.mask.Rle#iou}, crowd GT as in {@code rleIou}) and needs a ground
 * truth and detections with masks ({@link CocoGroundTruth#withMasks}, {@link CocoDetections#readMasks}).
 *
 * <p>Categories are evaluated in parallel; each writes only its own slice of the precision and
 * recall arrays, so results are identical for any number of threads.
 *
 * <p>Detections must name image and category ids of the ground truth: unknown ones are an
 * {@link EvalInputException} with a count and examples (pycocotools asserts on unknown images
 * and silently drops unknown categories).
 */
public final class CocoEvaluator {
    private final CocoParams params;
    private final IouType iouType;

    public CocoEvaluator() {
        this(CocoParams.defaults());
    }

    public CocoEvaluator(CocoParams params) {
        this(params, IouType.BBOX);
    }

    public CocoEvaluator(IouType iouType) {
        this(CocoParams.defaults(), iouType);
    }

    public CocoEvaluator(CocoParams params, IouType iouType) {
        this.params = params;
        this.iouType = iouType;
    }

    /** Evaluates {@code dt} against {@code gt}; an empty {@code dt} scores 0 (or -1 where there is no GT). */
    public CocoEvalResult evaluate(CocoGroundTruth gt, CocoDetections dt) {
        int numK = gt.categoryIds.length;
        int[] dtImage = new int[dt.size()];
        int[] dtCat = new int[dt.size()];
        resolveIds(gt, dt, dtImage, dtCat);
        if (iouType == IouType.SEGM) {
            requireMasks(gt, dt, dtImage);
        }
        int[][] gtByCat = byCategory(gt.annCategory, gt.annImage, numK);
        int[][] dtByCat = byCategory(dtCat, dtImage, numK);

        int size = params.numIou() * params.numRec() * numK * params.numArea() * params.numMaxDets();
        double[] precision = new double[size];
        double[] recall = new double[params.numIou() * numK * params.numArea() * params.numMaxDets()];
        Arrays.fill(precision, -1.0);
        Arrays.fill(recall, -1.0);
        IntStream.range(0, numK).parallel().forEach(k ->
                new CocoCategoryEval(params, iouType, gt, dt).run(k, gtByCat[k], dtByCat[k], dtImage, precision, recall));
        return new CocoEvalResult(params, iouType, gt.categoryIds, gt.categoryNames(), precision, recall);
    }

    /** Mask evaluation: masks on both sides, each detection's of its image's size. */
    private static void requireMasks(CocoGroundTruth gt, CocoDetections dt, int[] dtImage) {
        if (!gt.hasMasks() && gt.numAnnotations() > 0) {
            throw new EvalInputException(gt.source + " was read without masks; mask evaluation needs CocoGroundTruth.withMasks");
        }
        if (!dt.hasMasks() && dt.size() > 0) {
            throw new EvalInputException("the detections have no masks (segmentation); mask evaluation needs mask results");
        }
        List<String> bad = new ArrayList<>();
        int numBad = 0;
        for (int i = 0; i < dt.size(); i++) {
            int img = dtImage[i];
            int h = gt.imageHeight[img];
            int w = gt.imageWidth[img];
            boolean known = h > 0 || w > 0;
            if (known && (dt.maskHeight[i] != h || dt.maskWidth[i] != w) && numBad++ < 5) {
                bad.add("#" + i + " (image_id " + dt.imageId[i] + ") is [" + dt.maskHeight[i] + ", " + dt.maskWidth[i] + "], the image [" + h + ", " + w + "]");
            }
        }
        if (numBad > 0) {
            throw new EvalInputException(numBad + " detection masks do not have their image's size [height, width] in " + gt.source
                    + ", e.g. " + String.join("; ", bad));
        }
    }

    private static void resolveIds(CocoGroundTruth gt, CocoDetections dt, int[] dtImage, int[] dtCat) {
        List<String> badImages = new ArrayList<>();
        List<String> badCats = new ArrayList<>();
        int numBadImages = 0;
        int numBadCats = 0;
        for (int i = 0; i < dt.size(); i++) {
            dtImage[i] = gt.imageIndex(dt.imageId[i]);
            dtCat[i] = gt.categoryIndex(dt.categoryId[i]);
            if (dtImage[i] < 0 && numBadImages++ < 5) {
                badImages.add(dt.imageId[i] + " (#" + i + ")");
            }
            if (dtCat[i] < 0 && numBadCats++ < 5) {
                badCats.add(dt.categoryId[i] + " (#" + i + ")");
            }
        }
        List<String> problems = new ArrayList<>();
        if (numBadImages > 0) {
            problems.add(numBadImages + " detections name image ids that are not in " + gt.source + ", e.g. image_id " + String.join(", ", badImages)
                    + " (results of 'aligndet predict' without --coco number the images 1..N: rerun it with --coco " + gt.source + ")");
        }
        if (numBadCats > 0) {
            problems.add(numBadCats + " detections name category ids that are not in " + gt.source + ", e.g. category_id " + String.join(", ", badCats));
        }
        if (!problems.isEmpty()) {
            throw new EvalInputException(String.join("; ", problems));
        }
    }

    /** For each category, the entries of that category sorted by (image index, input order). */
    private static int[][] byCategory(int[] category, int[] image, int numK) {
        int[] count = new int[numK + 1];
        for (int c : category) {
            count[c + 1]++;
        }
        for (int k = 0; k < numK; k++) {
            count[k + 1] += count[k];
        }
        long[][] packed = new long[numK][];
        for (int k = 0; k < numK; k++) {
            packed[k] = new long[count[k + 1] - count[k]];
        }
        int[] fill = new int[numK];
        for (int i = 0; i < category.length; i++) {
            int k = category[i];
            packed[k][fill[k]++] = ((long) image[i] << 32) | i;
        }
        int[][] out = new int[numK][];
        IntStream.range(0, numK).parallel().forEach(k -> {
            long[] keys = packed[k];
            Arrays.sort(keys);
            int[] idx = new int[keys.length];
            for (int j = 0; j < keys.length; j++) {
                idx[j] = (int) keys[j];
            }
            out[k] = idx;
        });
        return out;
    }
}
