package org.aligndet.trainer.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The raw content of a COCO instances file, read with Jackson's streaming parser so that a file
 * with millions of annotations (a proposals file) is never held as a tree. Annotations are kept in
 * columns; {@link CocoReader} resolves them into {@link ImageRecord}s.
 *
 * <p>Top-level keys may come in any order; keys other than {@code images}, {@code annotations} and
 * {@code categories} are skipped, as are unknown keys inside each entry ({@code segmentation} etc.).
 */
final class CocoJson {
    record RawImage(long id, String fileName, int width, int height) {
    }

    record RawCategory(int id, String name) {
    }

    /** Annotations as columns; bbox is COCO's {@code [x, y, w, h]} in pixels. */
    static final class RawAnnotations {
        int size;
        long[] id = new long[1024];
        long[] imageId = new long[1024];
        int[] categoryId = new int[1024];
        double[] bbox = new double[4 * 1024];
        double[] area = new double[1024];
        double[] score = new double[1024];
        boolean[] crowd = new boolean[1024];
        boolean[] ignore = new boolean[1024];
        /** Whether every annotation carried a {@code score}. */
        boolean allScored = true;

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
        }
    }

    final Path file;
    final List<RawImage> images = new ArrayList<>();
    final List<RawCategory> categories = new ArrayList<>();
    final RawAnnotations annotations = new RawAnnotations();

    private CocoJson(Path file) {
        this.file = file;
    }

    /** Parses {@code file}; malformed JSON or a wrongly typed field is a {@link DatasetException} naming line and column. */
    static CocoJson parse(Path file) {
        CocoJson out = new CocoJson(file);
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            out.readRoot(p);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw new DatasetException(file + where + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    private void readRoot(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw error(p, "expected a JSON object at the top level");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "images" -> readArray(p, key, this::readImage);
                case "annotations" -> readArray(p, key, this::readAnnotation);
                case "categories" -> readArray(p, key, this::readCategory);
                default -> p.skipChildren();
            }
        }
    }

    private interface EntryReader {
        void read(JsonParser p) throws IOException;
    }

    private void readArray(JsonParser p, String key, EntryReader entry) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error(p, "\"" + key + "\" must be an array");
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw error(p, "entries of \"" + key + "\" must be objects");
            }
            entry.read(p);
        }
    }

    private void readImage(JsonParser p) throws IOException {
        Long id = null;
        String fileName = null;
        int width = 0;
        int height = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "id" -> id = number(p, "image id").longValue();
                case "file_name" -> fileName = text(p, "image file_name");
                case "width" -> width = number(p, "image width").intValue();
                case "height" -> height = number(p, "image height").intValue();
                default -> p.skipChildren();
            }
        }
        if (id == null || fileName == null) {
            throw error(p, "an image needs \"id\" and \"file_name\"");
        }
        images.add(new RawImage(id, fileName, width, height));
    }

    private void readCategory(JsonParser p) throws IOException {
        Integer id = null;
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "id" -> id = number(p, "category id").intValue();
                case "name" -> name = text(p, "category name");
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw error(p, "a category needs an \"id\"");
        }
        categories.add(new RawCategory(id, name == null ? String.valueOf(id) : name));
    }

    private void readAnnotation(JsonParser p) throws IOException {
        RawAnnotations a = annotations;
        a.grow();
        int i = a.size;
        a.id[i] = i;
        a.imageId[i] = Long.MIN_VALUE;
        a.categoryId[i] = Integer.MIN_VALUE;
        a.area[i] = Double.NaN;
        a.score[i] = Double.NaN;
        a.crowd[i] = false;
        a.ignore[i] = false;
        boolean hasBox = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "id" -> a.id[i] = number(p, "annotation id").longValue();
                case "image_id" -> a.imageId[i] = number(p, "annotation image_id").longValue();
                case "category_id" -> a.categoryId[i] = number(p, "annotation category_id").intValue();
                case "area" -> a.area[i] = number(p, "annotation area").doubleValue();
                case "score" -> a.score[i] = number(p, "annotation score").doubleValue();
                case "iscrowd" -> a.crowd[i] = flag(p, "iscrowd");
                case "ignore" -> a.ignore[i] = flag(p, "ignore");
                case "bbox" -> {
                    readBox(p, a.bbox, 4 * i);
                    hasBox = true;
                }
                default -> p.skipChildren();
            }
        }
        if (!hasBox || a.imageId[i] == Long.MIN_VALUE || a.categoryId[i] == Integer.MIN_VALUE) {
            throw error(p, "annotation id " + a.id[i] + " needs \"bbox\", \"image_id\" and \"category_id\"");
        }
        a.allScored &= !Double.isNaN(a.score[i]);
        a.size++;
    }

    private void readBox(JsonParser p, double[] into, int at) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error(p, "\"bbox\" must be an array [x, y, w, h]");
        }
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            Number v = number(p, "bbox value");
            if (n < 4) {
                into[at + n] = v.doubleValue();
            }
            n++;
        }
        if (n != 4) {
            throw error(p, "\"bbox\" must have 4 numbers [x, y, w, h], found " + n);
        }
    }

    private Number number(JsonParser p, String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw error(p, what + " must be a number, found " + describe(p));
        }
        return t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : p.getDoubleValue();
    }

    private boolean flag(JsonParser p, String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE;
        }
        return number(p, what).doubleValue() != 0;
    }

    private String text(JsonParser p, String what) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw error(p, what + " must be a string, found " + describe(p));
        }
        return p.getText();
    }

    private static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        return t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY ? t.asString() + "..." : p.getText();
    }

    private DatasetException error(JsonParser p, String message) {
        JsonLocation at = p.currentLocation();
        return new DatasetException(file + ":" + at.getLineNr() + ":" + at.getColumnNr() + ": " + message);
    }
}
