package org.aligndet.trainer.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.aligndet.bridge.io.RelativeName;
import org.aligndet.trainer.mask.Segmentation;

/**
 * The one reader of COCO JSON files, with Jackson's streaming parser (no tree is built, so a
 * val2017-sized or proposals file reads in about a second): instances files into a
 * {@link CocoFile}, and results files entry by entry.
 *
 * <p>Top-level keys may come in any order; keys other than {@code images}, {@code annotations} and
 * {@code categories} are skipped, as are unknown keys inside each entry; {@code segmentation} is
 * parsed only when asked for (mask evaluation), into a {@link Segmentation}.
 * Ids must be integers (an integral float such as {@code 3.0} is accepted). Malformed JSON, a
 * wrongly typed or missing field, or an image {@code file_name} that is absolute or holds
 * {@code ..} ({@link RelativeName}) is a {@link DatasetException} naming the file, line and column.
 */
public final class CocoJson {
    /** Python's {@code json} writes NaN and Infinity as bare words: read them, then reject them by name. */
    private static final JsonFactory FACTORY = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /**
     * One entry of a COCO results file, {@code {image_id, category_id, bbox: [x, y, w, h], score}}
     * and, for mask results, {@code segmentation}.
     *
     * @param index        position in the file's array
     * @param imageIdText  the {@code image_id} as written: a string's content, or a number's text
     * @param imageId      its value when it is an integer number, else null
     * @param hasBox       whether the entry has a {@code bbox} (only mask results may lack one: then x, y, w, h are NaN)
     * @param segmentation the entry's {@code segmentation} when read with segmentations, else null
     */
    public record Result(int index, String imageIdText, Long imageId, long categoryId, double x, double y, double w,
                         double h, double score, boolean hasBox, Segmentation segmentation) {
    }

    private final Path file;
    private final JsonParser p;
    /** Whether NaN and Infinity may stand for numbers (results: the evaluator names them). */
    private final boolean nonFinite;

    private CocoJson(Path file, JsonParser p, boolean nonFinite) {
        this.file = file;
        this.p = p;
        this.nonFinite = nonFinite;
    }

    /**
     * Parses an instances file ({@code images}, {@code annotations}, {@code categories}). An image
     * needs an {@code id}, a category an {@code id}, an annotation {@code bbox} (4 finite numbers),
     * {@code image_id} and {@code category_id}; everything else is optional here.
     */
    public static CocoFile instances(Path file) {
        return instances(file, false);
    }

    /**
     * As {@link #instances(Path)}; with {@code segmentations}, each annotation's
     * {@code segmentation} is kept too ({@link CocoFile#segmentation}): polygons
     * {@code [[x, y, ...], ...]}, or RLE {@code {size: [h, w], counts}} with {@code counts} a list
     * of runs or a compressed string. Its shape is checked here; its content when it becomes a mask.
     */
    public static CocoFile instances(Path file, boolean segmentations) {
        CocoFile out = new CocoFile(file);
        if (segmentations) {
            out.segmentation = new Segmentation[out.id.length];
        }
        parse(file, false, json -> json.readInstances(out));
        return out;
    }

    /**
     * Reads a COCO results file, a JSON array of {@code {image_id, category_id, bbox, score}},
     * handing each entry to {@code each} in file order. Numbers may be NaN or Infinity, for the
     * caller to reject by name. A file that does not exist or is empty is an error saying so.
     *
     * @param textImageIds whether {@code image_id} may be a string (VOC ids); else it must be an integer
     */
    public static void results(Path file, boolean textImageIds, Consumer<Result> each) {
        results(file, textImageIds, false, each);
    }

    /**
     * As {@link #results(Path, boolean, Consumer)}; with {@code segmentations} (mask results, as
     * mmdetection writes them) every entry needs a {@code segmentation} (forms as in
     * {@link #instances(Path, boolean)}) and {@code bbox} is optional.
     */
    public static void results(Path file, boolean textImageIds, boolean segmentations, Consumer<Result> each) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("results file " + file + (Files.isDirectory(file) ? " is a directory, not a file" : " does not exist"));
        }
        parse(file, true, json -> json.readResults(textImageIds, segmentations, each));
    }

    private interface Body {
        void read(CocoJson json) throws IOException;
    }

    private static void parse(Path file, boolean nonFinite, Body body) {
        if (Files.isDirectory(file)) {
            throw new DatasetException(file + ": is a directory, not a COCO JSON file");
        }
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            body.read(new CocoJson(file, p, nonFinite));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw new DatasetException(file + where + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void readInstances(CocoFile out) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw error("expected a JSON object at the top level");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "images" -> readArray("\"images\"", () -> readImage(out));
                case "annotations" -> readArray("\"annotations\"", () -> readAnnotation(out));
                case "categories" -> readArray("\"categories\"", () -> readCategory(out));
                default -> p.skipChildren();
            }
        }
    }

    private void readResults(boolean textImageIds, boolean segmentations, Consumer<Result> each) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new DatasetException("results file " + file + " is empty (0 bytes); expected a JSON array of detections");
        }
        int[] index = {0};
        readArray("a results file", () -> each.accept(readResult(index[0]++, textImageIds, segmentations)));
    }

    private interface EntryReader {
        void read() throws IOException;
    }

    /** Reads the array at the current token, each entry an object; {@code what} names it in errors. */
    private void readArray(String what, EntryReader entry) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error(what + " must be an array");
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw error("entries of " + what + " must be objects");
            }
            entry.read();
        }
    }

    private void readImage(CocoFile out) throws IOException {
        JsonLocation start = p.currentLocation();
        Long id = null;
        String fileName = null;
        int width = 0;
        int height = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "id" -> id = integer("image id");
                case "file_name" -> fileName = text("image file_name");
                case "width" -> width = (int) number("image width");
                case "height" -> height = (int) number("image height");
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw error("an image needs an \"id\"");
        }
        String unsafe = fileName == null ? null : RelativeName.problem(fileName);
        if (unsafe != null) {
            throw error("image id " + id + ": file_name '" + fileName + "' " + unsafe + "; file names must be relative to the image folder");
        }
        if (fileName == null && out.imageWithoutFileNameAt == null) {
            out.imageWithoutFileNameAt = file + ":" + start.getLineNr() + ":" + start.getColumnNr();
        }
        out.images.add(new CocoFile.Image(id, fileName, width, height));
    }

    private void readCategory(CocoFile out) throws IOException {
        Long id = null;
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "id" -> id = integer("category id");
                case "name" -> name = text("category name");
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw error("a category needs an \"id\"");
        }
        out.categories.add(new CocoFile.Category(id, name == null ? String.valueOf(id) : name));
    }

    private void readAnnotation(CocoFile a) throws IOException {
        a.grow();
        int i = a.size;
        boolean hasId = false;
        a.id[i] = i;
        a.imageId[i] = Long.MIN_VALUE;
        a.categoryId[i] = Long.MIN_VALUE;
        a.area[i] = Double.NaN;
        a.score[i] = Double.NaN;
        a.crowd[i] = false;
        a.ignore[i] = false;
        boolean hasBox = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "id" -> {
                    a.id[i] = integer("annotation id");
                    hasId = true;
                }
                case "image_id" -> a.imageId[i] = integer("annotation image_id");
                case "category_id" -> a.categoryId[i] = integer("annotation category_id");
                case "area" -> a.area[i] = number("annotation area");
                case "score" -> a.score[i] = number("annotation score");
                case "iscrowd" -> a.crowd[i] = flag("iscrowd");
                case "ignore" -> a.ignore[i] = flag("ignore");
                case "bbox" -> {
                    readBox(a.bbox, 4 * i);
                    hasBox = true;
                }
                case "segmentation" -> {
                    if (a.segmentation != null) {
                        a.segmentation[i] = readSegmentation("annotations[" + i + "]");
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (!hasBox || a.imageId[i] == Long.MIN_VALUE || a.categoryId[i] == Long.MIN_VALUE) {
            throw error("annotation id " + a.id[i] + " needs \"bbox\", \"image_id\" and \"category_id\"");
        }
        if (!hasId && a.annotationWithoutId < 0) {
            a.annotationWithoutId = i;
        }
        a.allScored &= !Double.isNaN(a.score[i]);
        a.size++;
    }

    private Result readResult(int index, boolean textImageIds, boolean segmentations) throws IOException {
        String imageText = null;
        Long image = null;
        Long category = null;
        double[] box = null;
        Double score = null;
        Segmentation segmentation = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken t = p.nextToken();
            switch (key) {
                case "image_id" -> {
                    if (!(textImageIds && t == JsonToken.VALUE_STRING)) {
                        image = integer(textImageIds ? "result image_id (an integer or a string)" : "result image_id");
                    }
                    imageText = p.getText();
                }
                case "category_id" -> category = integer("result category_id");
                case "bbox" -> {
                    box = new double[4];
                    readBox(box, 0);
                }
                case "score" -> score = number("result score");
                case "segmentation" -> {
                    if (segmentations) {
                        segmentation = readSegmentation("result #" + index);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (segmentations) {
            if (imageText == null || category == null || segmentation == null || score == null) {
                throw error("result #" + index + " needs \"image_id\", \"category_id\", \"segmentation\" and \"score\" (mask results)");
            }
        } else if (imageText == null || category == null || box == null || score == null) {
            throw error("result #" + index + " needs \"image_id\", \"category_id\", \"bbox\" and \"score\"");
        }
        double[] b = box != null ? box : new double[]{Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        return new Result(index, imageText, image, category, b[0], b[1], b[2], b[3], score, box != null, segmentation);
    }

    /**
     * A {@code segmentation} at the current token: a list of polygons, or an RLE object with
     * {@code size} [h, w] and {@code counts} (a list of runs or a compressed string).
     */
    private Segmentation readSegmentation(String owner) throws IOException {
        String what = owner + ": \"segmentation\"";
        if (p.currentToken() == JsonToken.START_ARRAY) {
            List<double[]> polygons = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.START_ARRAY) {
                    throw error(what + " must be a list of polygons [[x1, y1, x2, y2, ...], ...], found " + describe() + " in it");
                }
                double[] xy = new double[16];
                int n = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    double v = number(what + " polygon coordinate");
                    if (!Double.isFinite(v)) {
                        throw error(what + " polygon coordinate must be a finite number, found " + p.getText());
                    }
                    if (n == xy.length) {
                        xy = Arrays.copyOf(xy, 2 * n);
                    }
                    xy[n++] = v;
                }
                polygons.add(Arrays.copyOf(xy, n));
            }
            return new Segmentation.Polygons(polygons);
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error(what + " must be a list of polygons or an RLE object {\"size\": [h, w], \"counts\": ...}, found " + describe());
        }
        int[] size = null;
        String text = null;
        long[] runs = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "size" -> size = readSize(what);
                case "counts" -> {
                    if (p.currentToken() == JsonToken.VALUE_STRING) {
                        text = p.getText();
                    } else if (p.currentToken() == JsonToken.START_ARRAY) {
                        long[] r = new long[64];
                        int n = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            long v = integer(what + " RLE count");
                            if (v < 0) {
                                throw error(what + " RLE counts must not be negative, found " + v);
                            }
                            if (n == r.length) {
                                r = Arrays.copyOf(r, 2 * n);
                            }
                            r[n++] = v;
                        }
                        runs = Arrays.copyOf(r, n);
                    } else {
                        throw error(what + " RLE \"counts\" must be a string (compressed) or a list of runs, found " + describe());
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (size == null || (text == null && runs == null)) {
            throw error(what + " is an RLE object and needs \"size\" [h, w] and \"counts\"");
        }
        return text != null ? new Segmentation.Compressed(size[0], size[1], text) : new Segmentation.Counts(size[0], size[1], runs);
    }

    private int[] readSize(String what) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error(what + " RLE \"size\" must be [h, w], found " + describe());
        }
        int[] size = new int[2];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            long v = integer(what + " RLE size");
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw error(what + " RLE size must be [h, w] with non-negative integers, found " + v);
            }
            if (n < 2) {
                size[n] = (int) v;
            }
            n++;
        }
        if (n != 2) {
            throw error(what + " RLE \"size\" must be [h, w], found " + n + " numbers");
        }
        return size;
    }

    private void readBox(double[] into, int at) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error("\"bbox\" must be an array [x, y, w, h]");
        }
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            double v = number("bbox value");
            if (n < 4) {
                into[at + n] = v;
            }
            n++;
        }
        if (n != 4) {
            throw error("\"bbox\" must have 4 numbers [x, y, w, h], found " + n);
        }
    }

    /** A number; NaN and Infinity only where this file allows them. */
    private double number(String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw error(what + " must be a number, found " + describe());
        }
        double v = p.getDoubleValue();
        if (!nonFinite && !Double.isFinite(v)) {
            throw error(what + " must be a finite number, found " + p.getText());
        }
        return v;
    }

    /** An integer, or a float with an integral value. */
    private long integer(String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw error(what + " must be a number, found " + describe());
        }
        double v = p.getDoubleValue();
        if (!Double.isFinite(v) || v != Math.rint(v)) {
            throw error(what + " must be an integer, found " + p.getText());
        }
        return (long) v;
    }

    private boolean flag(String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE;
        }
        return number(what) != 0;
    }

    private String text(String what) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw error(what + " must be a string, found " + describe());
        }
        return p.getText();
    }

    private String describe() throws IOException {
        JsonToken t = p.currentToken();
        return t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY ? t.asString() + "..." : p.getText();
    }

    private DatasetException error(String message) {
        JsonLocation at = p.currentLocation();
        return new DatasetException(file + ":" + at.getLineNr() + ":" + at.getColumnNr() + ": " + message);
    }
}
