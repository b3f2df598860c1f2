package org.aligndet.trainer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.mask.Segmentation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads COCO instances files ({@code annotations/instances_*.json}) and proposal files of the same
 * shape into {@link Dataset}s: the training view of a {@link CocoFile} (parsed by {@link CocoJson}).
 * A caller that also evaluates on the file parses it once and passes the {@link CocoFile}.
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
 * category ids; an image without {@code file_name}. Malformed JSON names the file, line and column.
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

    /** {@link #read(Path, Path)} of a file already parsed. */
    public static Dataset read(CocoFile file, Path imagesDir) {
        LoadResult r = load(file, imagesDir);
        logSkips(file.file(), r.skipped());
        return r.dataset();
    }

    /** Like {@link #read} but hands back the skip counts instead of logging them. */
    public static LoadResult load(Path annotations, Path imagesDir) {
        return load(CocoJson.instances(annotations), imagesDir);
    }

    /**
     * {@link #load(Path, Path)} that also keeps each kept instance's {@code segmentation}
     * ({@link ImageRecord#segmentations}, index for index with the instances; null for an annotation
     * without one): the ground-truth masks Mask R-CNN trains on. Parsing them costs memory, so it
     * happens only here.
     */
    public static LoadResult loadWithMasks(Path annotations, Path imagesDir) {
        return load(CocoJson.instances(annotations, true), imagesDir);
    }

    /**
     * {@link #load(Path, Path)} of a file already parsed. When it was parsed with segmentations
     * ({@link CocoJson#instances(Path, boolean)}), the records carry them ({@link ImageRecord#segmentations}).
     */
    public static LoadResult load(CocoFile coco, Path imagesDir) {
        List<CocoFile.Category> cats = sortedCategories(coco);
        Map<Long, Integer> labelOf = new HashMap<>();
        List<String> names = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (CocoFile.Category c : cats) {
            labelOf.put(c.id(), names.size());
            names.add(c.name());
            ids.add(intId(coco, c.id()));
        }
        SkipCounts skipped = new SkipCounts();
        List<ImageRecord> images = resolve(coco, labelOf, false, imagesDir, skipped);
        return new LoadResult(new Dataset(coco.file.toString(), names, ids, images), skipped);
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
        CocoFile coco = CocoJson.instances(proposals);
        Map<Long, Integer> labelOf = new HashMap<>();
        for (CocoFile.Category c : sortedCategories(coco)) {
            labelOf.put(c.id(), -1);
        }
        SkipCounts skipped = new SkipCounts();
        List<ImageRecord> images = resolve(coco, labelOf, true, imagesDir, skipped);
        return new LoadResult(new Dataset(proposals.toString(), List.of(), List.of(), images), skipped);
    }

    /** Logs a file's skipped entries once, as {@link #read} does. */
    public static void logSkips(Path file, SkipCounts skipped) {
        if (!skipped.isEmpty()) {
            LOG.warn(skipped.summary(file.toString()));
        }
    }

    private static List<CocoFile.Category> sortedCategories(CocoFile coco) {
        List<CocoFile.Category> cats = new ArrayList<>(coco.categories);
        cats.sort(Comparator.comparingLong(CocoFile.Category::id));
        for (int i = 1; i < cats.size(); i++) {
            if (cats.get(i).id() == cats.get(i - 1).id()) {
                throw new DatasetException(coco.file + ": category id " + cats.get(i).id() + " appears twice");
            }
        }
        return cats;
    }

    /** A category id as a {@link Dataset} keeps it. */
    private static int intId(CocoFile coco, long id) {
        if (id != (int) id) {
            throw new DatasetException(coco.file + ": category id " + id + " is beyond the 32-bit ids a dataset keeps");
        }
        return (int) id;
    }

    private static List<ImageRecord> resolve(CocoFile coco, Map<Long, Integer> labelOf, boolean proposals,
                                             Path imagesDir, SkipCounts skipped) {
        if (coco.imageWithoutFileNameAt != null) {
            throw new DatasetException(coco.imageWithoutFileNameAt + ": an image needs \"id\" and \"file_name\"");
        }
        Map<Long, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < coco.images.size(); i++) {
            if (indexOf.put(coco.images.get(i).id(), i) != null) {
                throw new DatasetException(coco.file + ": image id " + coco.images.get(i).id() + " appears twice");
            }
        }
        int[][] grouped = groupByImage(coco, indexOf, labelOf);
        int[] start = grouped[0];
        int[] order = grouped[1];
        List<ImageRecord> out = new ArrayList<>(coco.images.size());
        for (int i = 0; i < coco.images.size(); i++) {
            CocoFile.Image img = coco.images.get(i);
            List<Integer> ks = new ArrayList<>(start[i + 1] - start[i]);
            for (int j = start[i]; j < start[i + 1]; j++) {
                ks.add(order[j]);
            }
            if (proposals && coco.allScored) {
                ks.sort(Comparator.comparingDouble((Integer k) -> -coco.score[k]));
            }
            List<Instance> instances = new ArrayList<>(ks.size());
            boolean masks = coco.hasSegmentations() && !proposals;
            List<Segmentation> segmentations = new ArrayList<>(masks ? ks.size() : 0);
            for (int k : ks) {
                Instance inst = instance(coco, k, img, labelOf, proposals ? instances.size() : -1, skipped);
                if (inst != null) {
                    instances.add(inst);
                    if (masks) {
                        segmentations.add(coco.segmentation(k));
                    }
                }
            }
            Path file = imagesDir == null ? Path.of(img.fileName()) : imagesDir.resolve(img.fileName());
            out.add(new ImageRecord(img.id(), img.fileName(), file, img.width(), img.height(), instances, segmentations));
        }
        return out;
    }

    /**
     * Checks every annotation's image and category, and groups annotation indices by image:
     * image {@code i}'s annotations are {@code order[start[i] .. start[i + 1])}, in file order.
     * Returns {@code {start, order}}.
     */
    private static int[][] groupByImage(CocoFile a, Map<Long, Integer> indexOf, Map<Long, Integer> labelOf) {
        int[] start = new int[a.images.size() + 1];
        int[] imageOf = new int[a.size];
        for (int k = 0; k < a.size; k++) {
            Integer img = indexOf.get(a.imageId[k]);
            if (img == null) {
                throw new DatasetException(a.file + ": annotation id " + a.id[k] + " refers to image_id "
                        + a.imageId[k] + ", which is not among the file's images");
            }
            if (!labelOf.containsKey(a.categoryId[k])) {
                throw new DatasetException(a.file + ": annotation id " + a.id[k] + " has category_id "
                        + a.categoryId[k] + ", which is not among the file's categories " + labelOf.keySet());
            }
            imageOf[k] = img;
            start[img + 1]++;
        }
        for (int i = 0; i < a.images.size(); i++) {
            start[i + 1] += start[i];
        }
        int[] order = new int[a.size]; // annotation indices grouped by image, file order within an image
        int[] next = Arrays.copyOf(start, a.images.size());
        for (int k = 0; k < a.size; k++) {
            order[next[imageOf[k]]++] = k;
        }
        return new int[][] {start, order};
    }

    /** One annotation as an instance, or {@code null} when filtered; {@code proposalIndex < 0} for labelled data. */
    private static Instance instance(CocoFile a, int k, CocoFile.Image img,
                                     Map<Long, Integer> labelOf, int proposalIndex, SkipCounts skipped) {
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
        long category = a.categoryId[k];
        boolean proposal = proposalIndex >= 0;
        double area = a.area[k];
        if (proposal && Double.isNaN(area)) {
            area = w * h;
        }
        return new Instance((float) x, (float) y, (float) x2, (float) y2, labelOf.get(category), intId(a, category),
                proposal ? proposalIndex : a.id[k], a.crowd[k], false, a.ignore[k], area);
    }
}
