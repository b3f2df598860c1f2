package org.aligndet.export.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aligndet.trainer.data.CocoFile;
import org.aligndet.trainer.data.CocoJson;
import org.aligndet.trainer.data.DatasetException;
import org.aligndet.trainer.mask.Rle;
import org.aligndet.trainer.mask.Segmentation;

/**
 * COCO ground truth as the bbox evaluator needs it: image ids, categories and annotations, read
 * from an instances file exactly as pycocotools reads it ({@link #of(CocoFile)}: the evaluation
 * view of the trainer's one COCO reader), or built by hand ({@link #builder}).
 *
 * <p>Image and category ids are kept sorted ascending (pycocotools' default {@code imgIds} and
 * {@code catIds}); annotations keep their file order, which decides GT order inside an
 * (image, category). Boxes are COCO {@code [x, y, w, h]} in pixels, float64 as parsed. {@code area}
 * is the annotation's own field (it may be a mask area, not {@code w*h}) and decides the area
 * range. Columns are package-private for the evaluator; they are never modified.
 *
 * <p>For mask evaluation ({@link #read(Path, IouType)}, {@link #withMasks(CocoFile)}) every
 * annotation also has its mask, made from its {@code segmentation} as pycocotools'
 * {@code annToRLE} makes it (polygons rasterised at the image's size and merged; RLEs as given),
 * and every image knows its size ({@code height}, {@code width}), which detection masks must have.
 */
public final class CocoGroundTruth {
    final String source;
    final long[] imageIds;
    final long[] categoryIds;
    final String[] categoryNames;
    final int[] annImage;
    final int[] annCategory;
    final long[] annId;
    final double[] x;
    final double[] y;
    final double[] w;
    final double[] h;
    final double[] area;
    final boolean[] crowd;
    /** Each annotation's mask, or null for a box-only ground truth. */
    final Rle[] mask;
    /** Each image's [height, width] (0 where unknown). */
    final int[] imageHeight;
    final int[] imageWidth;
    private final Map<Long, Integer> imageIndex;
    private final Map<Long, Integer> categoryIndex;

    private CocoGroundTruth(Builder b) {
        this.source = b.source;
        this.imageIds = b.images.stream().mapToLong(Long::longValue).sorted().toArray();
        imageHeight = new int[imageIds.length];
        imageWidth = new int[imageIds.length];
        for (int i = 0; i < imageIds.length; i++) {
            int[] size = b.imageSizes.get(imageIds[i]);
            if (size != null) {
                imageHeight[i] = size[0];
                imageWidth[i] = size[1];
            }
        }
        Long[] cats = b.categories.keySet().toArray(new Long[0]);
        Arrays.sort(cats);
        this.categoryIds = Arrays.stream(cats).mapToLong(Long::longValue).toArray();
        this.categoryNames = Arrays.stream(cats).map(b.categories::get).toArray(String[]::new);
        this.imageIndex = indexOf(imageIds);
        this.categoryIndex = indexOf(categoryIds);
        int n = b.anns.size();
        annImage = new int[n];
        annCategory = new int[n];
        annId = new long[n];
        x = new double[n];
        y = new double[n];
        w = new double[n];
        h = new double[n];
        area = new double[n];
        crowd = new boolean[n];
        mask = b.masks ? new Rle[n] : null;
        for (int i = 0; i < n; i++) {
            Ann a = b.anns.get(i);
            Integer img = imageIndex.get(a.imageId);
            Integer cat = categoryIndex.get(a.categoryId);
            if (img == null) {
                throw new EvalInputException(source + ": annotation id " + a.id + " refers to image id " + a.imageId + ", which is not in images");
            }
            if (cat == null) {
                throw new EvalInputException(source + ": annotation id " + a.id + " refers to category id " + a.categoryId + ", which is not in categories");
            }
            annImage[i] = img;
            annCategory[i] = cat;
            annId[i] = a.id;
            x[i] = a.box[0];
            y[i] = a.box[1];
            w[i] = a.box[2];
            h[i] = a.box[3];
            area[i] = a.area;
            crowd[i] = a.crowd;
            if ((a.mask != null) != (mask != null)) {
                throw new EvalInputException(source + ": annotation id " + a.id + " has no mask while others have one");
            }
            if (mask != null) {
                Rle m = a.mask;
                if (imageHeight[img] == 0 && imageWidth[img] == 0) {
                    imageHeight[img] = m.height();
                    imageWidth[img] = m.width();
                } else if (m.height() != imageHeight[img] || m.width() != imageWidth[img]) {
                    throw new EvalInputException(source + ": annotation id " + a.id + " has a mask of size [h, w] = [" + m.height() + ", "
                            + m.width() + "], but its image " + a.imageId + " is [" + imageHeight[img] + ", " + imageWidth[img] + "]");
                }
                mask[i] = m;
            }
        }
    }

    /**
     * Reads an instances file ({@link CocoJson#instances}); every error, malformed JSON included,
     * is an {@link EvalInputException} naming the file.
     */
    public static CocoGroundTruth read(Path file) {
        return read(file, IouType.BBOX);
    }

    /** As {@link #read(Path)}; for {@link IouType#SEGM} with every annotation's mask ({@link #withMasks}). */
    public static CocoGroundTruth read(Path file, IouType iouType) {
        try {
            return iouType == IouType.SEGM ? withMasks(CocoJson.instances(file, true)) : of(CocoJson.instances(file));
        } catch (DatasetException e) {
            throw new EvalInputException(e.getMessage(), e);
        }
    }

    /** As pycocotools reads it for the given iou type: {@link #of} or {@link #withMasks}. */
    public static CocoGroundTruth of(CocoFile file, IouType iouType) {
        return iouType == IouType.SEGM ? withMasks(file) : of(file);
    }

    /**
     * As {@link #of(CocoFile)}, plus each annotation's mask from its {@code segmentation} (the
     * file must have been parsed with segmentations, {@code CocoJson.instances(file, true)}):
     * polygons are rasterised at the image's {@code height} x {@code width} and merged, RLEs keep
     * their own size, which must be the image's. A missing or malformed segmentation is an
     * {@link EvalInputException} naming the file and the annotation.
     */
    public static CocoGroundTruth withMasks(CocoFile file) {
        String source = file.file().toString();
        if (!file.hasSegmentations()) {
            throw new IllegalArgumentException(source + " was parsed without segmentations; use CocoJson.instances(file, true)");
        }
        Map<Long, CocoFile.Image> images = new HashMap<>();
        file.images().forEach(i -> images.putIfAbsent(i.id(), i));
        Rle[] masks = new Rle[file.numAnnotations()];
        for (int k = 0; k < masks.length; k++) {
            String what = source + ": annotations[" + k + "] (id " + file.annotationId(k) + ")";
            Segmentation seg = file.segmentation(k);
            if (seg == null) {
                throw new EvalInputException(what + " has no segmentation (mask evaluation, --iou-type segm, needs one per annotation)");
            }
            CocoFile.Image image = images.get(file.imageId(k));
            int h = image == null ? 0 : image.height();
            int w = image == null ? 0 : image.width();
            try {
                masks[k] = seg.toRle(h, w);
            } catch (IllegalArgumentException e) {
                throw new EvalInputException(what + ": segmentation: " + e.getMessage()
                        + (seg instanceof Segmentation.Polygons && (h <= 0 || w <= 0) ? " (image id " + file.imageId(k) + ")" : ""), e);
            }
        }
        return build(file, masks);
    }

    /**
     * The ground truth of a parsed instances file: every image, category and annotation (none
     * filtered: zero-sized boxes count, as in pycocotools). Each annotation needs an {@code id} and
     * an {@code area} (the area ranges come from it); ids must be unique and refer to the file's
     * images and categories, boxes must not have negative sizes.
     */
    public static CocoGroundTruth of(CocoFile file) {
        return build(file, null);
    }

    private static CocoGroundTruth build(CocoFile file, Rle[] masks) {
        String source = file.file().toString();
        if (file.annotationWithoutId() >= 0) {
            throw new EvalInputException(source + ": annotations[" + file.annotationWithoutId() + "].id is missing");
        }
        Builder b = builder(source);
        file.images().forEach(i -> b.image(i.id(), i.height(), i.width()));
        file.categories().forEach(c -> b.category(c.id(), c.name()));
        if (masks != null) {
            b.masks = true;
        }
        for (int k = 0; k < file.numAnnotations(); k++) {
            if (Double.isNaN(file.area(k))) {
                throw new EvalInputException(source + ": annotations[" + k + "] has no area field (COCO evaluation takes area ranges from it)");
            }
            b.annotation(file.annotationId(k), file.imageId(k), file.categoryId(k), file.bbox(k, 0), file.bbox(k, 1),
                    file.bbox(k, 2), file.bbox(k, 3), file.area(k), file.crowd(k), masks == null ? null : masks[k]);
        }
        return b.build();
    }

    private static Map<Long, Integer> indexOf(long[] ids) {
        Map<Long, Integer> m = new HashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            m.put(ids[i], i);
        }
        return m;
    }

    /** Where this ground truth came from (a file name), for messages. */
    public String source() {
        return source;
    }

    /** Image ids, ascending. */
    public long[] imageIds() {
        return imageIds.clone();
    }

    /** Category ids, ascending: the K axis of the precision array. */
    public long[] categoryIds() {
        return categoryIds.clone();
    }

    /** Category names aligned with {@link #categoryIds()}. */
    public List<String> categoryNames() {
        return List.of(categoryNames);
    }

    public int numAnnotations() {
        return annId.length;
    }

    /** Whether every annotation has a mask (mask evaluation is possible). */
    public boolean hasMasks() {
        return mask != null;
    }

    /** Position of image id in {@link #imageIds()}, or -1 when unknown. */
    public int imageIndex(long imageId) {
        return imageIndex.getOrDefault(imageId, -1);
    }

    /** Position of category id in {@link #categoryIds()}, or -1 when unknown. */
    public int categoryIndex(long categoryId) {
        return categoryIndex.getOrDefault(categoryId, -1);
    }

    /**
     * The same ground truth on a subset of its images (every category kept), e.g. the first n
     * images a check ran on. Ids not in this ground truth are an error.
     */
    public CocoGroundTruth restrictedTo(long[] keepImageIds) {
        Builder b = builder(source);
        Set<Integer> keep = new HashSet<>();
        for (long id : keepImageIds) {
            int i = imageIndex(id);
            if (i < 0) {
                throw new EvalInputException(source + ": image id " + id + " is not in this ground truth");
            }
            if (keep.add(i)) {
                b.image(id, imageHeight[i], imageWidth[i]);
            }
        }
        b.masks = mask != null;
        for (int k = 0; k < categoryIds.length; k++) {
            b.category(categoryIds[k], categoryNames[k]);
        }
        for (int a = 0; a < annId.length; a++) {
            if (keep.contains(annImage[a])) {
                b.annotation(annId[a], imageIds[annImage[a]], categoryIds[annCategory[a]], x[a], y[a], w[a], h[a], area[a], crowd[a],
                        mask == null ? null : mask[a]);
            }
        }
        return b.build();
    }

    public static Builder builder(String source) {
        return new Builder(source);
    }

    private record Ann(long id, long imageId, long categoryId, double[] box, double area, boolean crowd, Rle mask) {
    }

    /** Collects images, categories and annotations; {@link #build()} checks every reference. */
    public static final class Builder {
        private final String source;
        private final Set<Long> images = new HashSet<>();
        private final Map<Long, int[]> imageSizes = new HashMap<>();
        /** Whether this ground truth has masks even when it has no annotations. */
        private boolean masks;
        private final Map<Long, String> categories = new HashMap<>();
        private final List<Ann> anns = new ArrayList<>();
        private final Set<Long> annIds = new HashSet<>();

        private Builder(String source) {
            this.source = source;
        }

        public Builder image(long id) {
            if (!images.add(id)) {
                throw new EvalInputException(source + ": image id " + id + " is listed twice");
            }
            return this;
        }

        /** An image of {@code height x width} pixels (0, 0 when unknown), the size of its masks. */
        public Builder image(long id, int height, int width) {
            image(id);
            if (height < 0 || width < 0) {
                throw new EvalInputException(source + ": image id " + id + " has a negative size [" + height + ", " + width + "]");
            }
            if (height > 0 || width > 0) {
                imageSizes.put(id, new int[]{height, width});
            }
            return this;
        }

        public Builder category(long id, String name) {
            if (categories.putIfAbsent(id, name) != null) {
                throw new EvalInputException(source + ": category id " + id + " is listed twice");
            }
            return this;
        }

        /**
         * Adds one annotation. {@code id} must be unique (pycocotools indexes annotations by id;
         * ids start at 1 because it treats 0 as "unmatched"). Widths and heights must be finite and
         * not negative.
         */
        public Builder annotation(long id, long imageId, long categoryId, double x, double y, double w, double h,
                                  double area, boolean crowd) {
            return annotation(id, imageId, categoryId, x, y, w, h, area, crowd, null);
        }

        /**
         * As the other {@code annotation}, with the object's mask for mask evaluation: either every
         * annotation has one or none has; a mask's size must be its image's.
         */
        public Builder annotation(long id, long imageId, long categoryId, double x, double y, double w, double h,
                                  double area, boolean crowd, Rle mask) {
            String what = source + ": annotation id " + id;
            if (!annIds.add(id)) {
                throw new EvalInputException(what + " is used twice; annotation ids must be unique");
            }
            if (!(Double.isFinite(x) && Double.isFinite(y) && Double.isFinite(w) && Double.isFinite(h))) {
                throw new EvalInputException(what + " has a bbox with a non-finite value: " + Arrays.toString(new double[]{x, y, w, h}));
            }
            if (w < 0 || h < 0) {
                throw new EvalInputException(what + " has a negative width or height: bbox [x, y, w, h] = " + Arrays.toString(new double[]{x, y, w, h}));
            }
            if (Double.isNaN(area)) {
                throw new EvalInputException(what + " has no area (NaN)");
            }
            anns.add(new Ann(id, imageId, categoryId, new double[]{x, y, w, h}, area, crowd, mask));
            masks |= mask != null;
            return this;
        }

        public CocoGroundTruth build() {
            return new CocoGroundTruth(this);
        }
    }
}
