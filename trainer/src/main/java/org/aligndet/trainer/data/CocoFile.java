package org.aligndet.trainer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aligndet.trainer.mask.Segmentation;

/**
 * The content of a COCO instances file (or a proposals file of the same shape) as written, parsed
 * once by {@link CocoJson#instances}: images and categories in file order, annotations as columns in
 * file order, so that a file with millions of annotations is never held as objects. Nothing is
 * filtered, resolved or checked against anything else here; the views do that:
 * {@link CocoReader} makes a training {@link Dataset}, and the export module's
 * {@code CocoGroundTruth} the evaluator's ground truth (as pycocotools reads it).
 *
 * <p>Boxes are COCO's {@code [x, y, w, h]} in pixels, float64 as parsed (always finite). Ids are
 * the file's integers. {@code area} and {@code score} are {@code NaN} where the file has none.
 * Segmentations are kept only when asked for ({@link CocoJson#instances(Path, boolean)}).
 */
public final class CocoFile {
    /** An image entry; {@code fileName} is null when the entry has none, sizes 0 when absent. */
    public record Image(long id, String fileName, int width, int height) {
    }

    /** A category entry; {@code name} is the id's text when the entry has none. */
    public record Category(long id, String name) {
    }

    final Path file;
    final List<Image> images = new ArrayList<>();
    final List<Category> categories = new ArrayList<>();
    /** {@code "file:line:column"} of the first image entry without {@code file_name}, or null. */
    String imageWithoutFileNameAt;
    /** Index of the first annotation without {@code id}, or -1. */
    int annotationWithoutId = -1;

    // annotations as columns, `size` of them
    int size;
    long[] id = new long[1024];
    long[] imageId = new long[1024];
    long[] categoryId = new long[1024];
    double[] bbox = new double[4 * 1024];
    double[] area = new double[1024];
    double[] score = new double[1024];
    boolean[] crowd = new boolean[1024];
    boolean[] ignore = new boolean[1024];
    /** Each annotation's {@code segmentation}, only when parsed with them (else null). */
    Segmentation[] segmentation;
    /** Whether every annotation carried a {@code score}. */
    boolean allScored = true;

    CocoFile(Path file) {
        this.file = file;
    }

    /** Room for one more annotation at index {@link #size}. */
    void grow() {
        if (size < id.length) {
            return;
        }
        int n = id.length * 2;
        id = Arrays.copyOf(id, n);
        imageId = Arrays.copyOf(imageId, n);
        categoryId = Arrays.copyOf(categoryId, n);
        bbox = Arrays.copyOf(bbox, 4 * n);
        area = Arrays.copyOf(area, n);
        score = Arrays.copyOf(score, n);
        crowd = Arrays.copyOf(crowd, n);
        ignore = Arrays.copyOf(ignore, n);
        if (segmentation != null) {
            segmentation = Arrays.copyOf(segmentation, n);
        }
    }

    /** The file it was parsed from, for messages. */
    public Path file() {
        return file;
    }

    public List<Image> images() {
        return List.copyOf(images);
    }

    public List<Category> categories() {
        return List.copyOf(categories);
    }

    /** {@code "file:line:column"} of the first image without {@code file_name}, or null when every image has one. */
    public String imageWithoutFileNameAt() {
        return imageWithoutFileNameAt;
    }

    /** Index of the first annotation without an {@code id}, or -1 when every one has one. */
    public int annotationWithoutId() {
        return annotationWithoutId;
    }

    public int numAnnotations() {
        return size;
    }

    /** Annotation {@code k}'s {@code id}; its index {@code k} when it has none. */
    public long annotationId(int k) {
        return id[k];
    }

    public long imageId(int k) {
        return imageId[k];
    }

    public long categoryId(int k) {
        return categoryId[k];
    }

    /** Coordinate {@code i} (0..3: x, y, w, h) of annotation {@code k}'s bbox. */
    public double bbox(int k, int i) {
        return bbox[4 * k + i];
    }

    /** The annotation's own {@code area}, or {@code NaN} when it has none. */
    public double area(int k) {
        return area[k];
    }

    /** The annotation's {@code score} (proposal files), or {@code NaN} when it has none. */
    public double score(int k) {
        return score[k];
    }

    public boolean crowd(int k) {
        return crowd[k];
    }

    public boolean ignore(int k) {
        return ignore[k];
    }

    /** Whether the file was parsed with segmentations ({@link CocoJson#instances(Path, boolean)}). */
    public boolean hasSegmentations() {
        return segmentation != null;
    }

    /**
     * Annotation {@code k}'s {@code segmentation} as written, or null when it has none.
     *
     * @throws IllegalStateException when the file was parsed without segmentations
     */
    public Segmentation segmentation(int k) {
        if (segmentation == null) {
            throw new IllegalStateException(file + " was parsed without segmentations (CocoJson.instances(file, true) keeps them)");
        }
        return segmentation[k];
    }
}
