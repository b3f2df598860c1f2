package org.aligndet.trainer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads COCO instances files ({@code annotations/instances_*.json}) and proposal files of the same
 * shape into {@link Dataset}s.
 *
 * <p>Boxes: COCO's {@code [x, y, w, h]} becomes the continuous 0-based {@code x1 = x, y1 = y,
 * x2 = x + w, y2 = y + h} in the original pixel frame (see {@link Instance}). Labels: categories
 * sorted by id get labels {@code 0..K-1} (gaps in ids are closed; {@link Dataset#categoryIds()}
 * keeps the map back). Images keep the file's order, those without annotations included (empty).
 * Annotations keep the file's order within their image, with {@code iscrowd}, {@code ignore} and
 * {@code area} carried over ({@code area} is {@code NaN} when the file has none).
 *
 * <p>Filtered and counted (never fatal): a bbox with zero or negative width or height; a box
 * entirely outside its image (when the image's size is known). Fatal, naming the file and the
 * annotation id: an annotation whose image or category is not in the file; duplicate image or
 * category ids. Malformed JSON names the file, line and column.
 */
public final class CocoReader {
    public static final String ZERO_SIZE = "bbox with zero or negative width or height";
    public static final String OUTSIDE = "box entirely outside the image";
    /** The single category of selective-search proposal files (AlignDet's released files use it). */
    public static final String PROPOSAL_CATEGORY = "selective_search";

    private static final Logger LOG = LoggerFactory.getLogger(CocoReader.class);

    private CocoReader() {
    }

    /** Reads a COCO instances file; images resolve against {@code imagesDir}. Skips are logged once. */
    public static Dataset read(Path annotations, Path imagesDir) {
        LoadResult r = load(annotations, imagesDir);
        logSkips(annotations, r.skipped());
        return r.dataset();
    }

    /** Like {@link #read} but hands back the skip counts instead of logging them. */
    public static LoadResult load(Path annotations, Path imagesDir) {
        CocoJson json = CocoJson.parse(annotations);
        List<CocoJson.RawCategory> cats = sortedCategories(json);
        Map<Integer, Integer> labelOf = new HashMap<>();
        List<String> names = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (CocoJson.RawCategory c : cats) {
            labelOf.put(c.id(), names.size());
            names.add(c.name());
            ids.add(c.id());
        }
        SkipCounts skipped = new SkipCounts();
        List<ImageRecord> images = resolve(json, labelOf, false, imagesDir, skipped);
        return new LoadResult(new Dataset(annotations.toString(), names, ids, images), skipped);
    }

    /**
     * Reads a proposals file: COCO shape with one category (normally {@value #PROPOSAL_CATEGORY}),
     * one annotation per proposal, optional {@code score}. Each image's proposals become instances
     * with {@code label = -1}, {@code categoryId} the file's category id, and {@code id} the
     * proposal's index within its image ({@code 0..n-1}, after filtering). When every proposal has a
     * score, each image's proposals are ordered by descending score (ties keep file order), so the
     * first K are the top K; otherwise file order is kept. {@code area} is the file's, or the box
     * area. The returned dataset has no classes. AlignDet's released
     * {@code train2017_ratio3size0008@0.5.json} reads this way.
     */
    public static Dataset readProposals(Path proposals, Path imagesDir) {
        LoadResult r = loadProposals(proposals, imagesDir);
        logSkips(proposals, r.skipped());
        return r.dataset();
    }

    /** Like {@link #readProposals} but hands back the skip counts instead of logging them. */
    public static LoadResult loadProposals(Path proposals, Path imagesDir) {
        CocoJson json = CocoJson.parse(proposals);
        Map<Integer, Integer> labelOf = new HashMap<>();
        for (CocoJson.RawCategory c : sortedCategories(json)) {
            labelOf.put(c.id(), -1);
        }
        SkipCounts skipped = new SkipCounts();
        List<ImageRecord> images = resolve(json, labelOf, true, imagesDir, skipped);
        return new LoadResult(new Dataset(proposals.toString(), List.of(), List.of(), images), skipped);
    }

    private static void logSkips(Path file, SkipCounts skipped) {
        if (!skipped.isEmpty()) {
            LOG.warn(skipped.summary(file.toString()));
        }
    }

    private static List<CocoJson.RawCategory> sortedCategories(CocoJson json) {
        List<CocoJson.RawCategory> cats = new ArrayList<>(json.categories);
        cats.sort(Comparator.comparingInt(CocoJson.RawCategory::id));
        for (int i = 1; i < cats.size(); i++) {
            if (cats.get(i).id() == cats.get(i - 1).id()) {
                throw new DatasetException(json.file + ": category id " + cats.get(i).id() + " appears twice");
            }
        }
        return cats;
    }

    private static List<ImageRecord> resolve(CocoJson json, Map<Integer, Integer> labelOf, boolean proposals,
                                             Path imagesDir, SkipCounts skipped) {
        Map<Long, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < json.images.size(); i++) {
            if (indexOf.put(json.images.get(i).id(), i) != null) {
                throw new DatasetException(json.file + ": image id " + json.images.get(i).id() + " appears twice");
            }
        }
        CocoJson.RawAnnotations a = json.annotations;
        int[][] grouped = groupByImage(json, indexOf, labelOf);
        int[] start = grouped[0];
        int[] order = grouped[1];
        List<ImageRecord> out = new ArrayList<>(json.images.size());
        for (int i = 0; i < json.images.size(); i++) {
            CocoJson.RawImage img = json.images.get(i);
            List<Integer> ks = new ArrayList<>(start[i + 1] - start[i]);
            for (int j = start[i]; j < start[i + 1]; j++) {
                ks.add(order[j]);
            }
            if (proposals && a.allScored) {
                ks.sort(Comparator.comparingDouble((Integer k) -> -a.score[k]));
            }
            List<Instance> instances = new ArrayList<>(ks.size());
            for (int k : ks) {
                Instance inst = instance(a, k, img, labelOf, proposals ? instances.size() : -1, skipped);
                if (inst != null) {
                    instances.add(inst);
                }
            }
            Path file = imagesDir == null ? Path.of(img.fileName()) : imagesDir.resolve(img.fileName());
            out.add(new ImageRecord(img.id(), img.fileName(), file, img.width(), img.height(), instances));
        }
        return out;
    }

    /**
     * Checks every annotation's image and category, and groups annotation indices by image:
     * image {@code i}'s annotations are {@code order[start[i] .. start[i + 1])}, in file order.
     * Returns {@code {start, order}}.
     */
    private static int[][] groupByImage(CocoJson json, Map<Long, Integer> indexOf, Map<Integer, Integer> labelOf) {
        CocoJson.RawAnnotations a = json.annotations;
        int[] start = new int[json.images.size() + 1];
        int[] imageOf = new int[a.size];
        for (int k = 0; k < a.size; k++) {
            Integer img = indexOf.get(a.imageId[k]);
            if (img == null) {
                throw new DatasetException(json.file + ": annotation id " + a.id[k] + " refers to image_id "
                        + a.imageId[k] + ", which is not among the file's images");
            }
            if (!labelOf.containsKey(a.categoryId[k])) {
                throw new DatasetException(json.file + ": annotation id " + a.id[k] + " has category_id "
                        + a.categoryId[k] + ", which is not among the file's categories " + labelOf.keySet());
            }
            imageOf[k] = img;
            start[img + 1]++;
        }
        for (int i = 0; i < json.images.size(); i++) {
            start[i + 1] += start[i];
        }
        int[] order = new int[a.size]; // annotation indices grouped by image, file order within an image
        int[] next = Arrays.copyOf(start, json.images.size());
        for (int k = 0; k < a.size; k++) {
            order[next[imageOf[k]]++] = k;
        }
        return new int[][] {start, order};
    }

    /** One annotation as an instance, or {@code null} when filtered; {@code proposalIndex < 0} for labelled data. */
    private static Instance instance(CocoJson.RawAnnotations a, int k, CocoJson.RawImage img,
                                     Map<Integer, Integer> labelOf, int proposalIndex, SkipCounts skipped) {
        double x = a.bbox[4 * k];
        double y = a.bbox[4 * k + 1];
        double w = a.bbox[4 * k + 2];
        double h = a.bbox[4 * k + 3];
        if (!(w > 0 && h > 0)) {
            skipped.add(ZERO_SIZE);
            return null;
        }
        double x2 = x + w;
        double y2 = y + h;
        boolean sized = img.width() > 0 && img.height() > 0;
        if (sized && (x2 <= 0 || y2 <= 0 || x >= img.width() || y >= img.height())) {
            skipped.add(OUTSIDE);
            return null;
        }
        int category = a.categoryId[k];
        boolean proposal = proposalIndex >= 0;
        double area = a.area[k];
        if (proposal && Double.isNaN(area)) {
            area = w * h;
        }
        return new Instance((float) x, (float) y, (float) x2, (float) y2, labelOf.get(category), category,
                proposal ? proposalIndex : a.id[k], a.crowd[k], false, a.ignore[k], area);
    }
}
