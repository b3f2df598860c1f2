package org.aligndet.export.eval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Streaming readers for COCO instance annotations and COCO results files. Only the fields the
 * bbox evaluator uses are kept; everything else (segmentations, captions, licences) is skipped
 * without building a tree, so a val2017-sized file reads in about a second.
 */
public final class CocoJson {
    /** Python's {@code json} writes NaN and Infinity as bare words: read them, then reject them by name. */
    private static final JsonFactory FACTORY = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private CocoJson() {
    }

    /** Reads {@code images}, {@code annotations} and {@code categories} of an instances file. */
    public static CocoGroundTruth readGroundTruth(Path file) {
        CocoGroundTruth.Builder b = CocoGroundTruth.builder(file.toString());
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, file + ": top level");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String section = p.currentName();
                JsonToken t = p.nextToken();
                switch (section) {
                    case "images" -> forEachObject(p, t, file + ": images", (q, i) -> b.image(readImageId(q, file + ": images[" + i + "]")));
                    case "categories" -> forEachObject(p, t, file + ": categories", (q, i) -> readCategory(q, b, file + ": categories[" + i + "]"));
                    case "annotations" -> forEachObject(p, t, file + ": annotations", (q, i) -> readAnnotation(q, b, file + ": annotations[" + i + "]"));
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new EvalInputException(file + ": cannot read COCO annotations: " + e.getMessage(), e);
        }
        return b.build();
    }

    /**
     * Reads a COCO results file, a JSON array of {@code {image_id, category_id, bbox, score}}.
     * Integer image ids are taken as they are; string image ids are an error. An empty array is an
     * error: it is almost always a failed inference run, and pycocotools cannot load it either.
     */
    public static CocoDetections readResults(Path file) {
        return readResults(file, null);
    }

    /**
     * As {@link #readResults(Path)}, with {@code imageIds} mapping the text of each {@code image_id}
     * (a string, or a number's decimal text) onto an image id, or onto {@code null} when unknown.
     * All unknown ids are reported together, with a count and examples.
     */
    public static CocoDetections readResults(Path file, Function<String, Long> imageIds) {
        if (!Files.isRegularFile(file)) {
            throw new EvalInputException("results file " + file + " does not exist");
        }
        CocoDetections.Builder b = CocoDetections.builder();
        List<String> unknown = new ArrayList<>();
        int[] unknownCount = {0};
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new EvalInputException("results file " + file + " is empty (0 bytes); expected a JSON array of detections");
            }
            forEachObject(p, first, file.toString(), (q, i) -> {
                String unknownId = readResult(q, b, imageIds, file + ": [" + i + "]");
                if (unknownId != null) {
                    if (unknown.size() < 5) {
                        unknown.add("'" + unknownId + "' at #" + i);
                    }
                    unknownCount[0]++;
                }
            });
        } catch (IOException e) {
            throw new EvalInputException(file + ": cannot read COCO results: " + e.getMessage(), e);
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

    private interface ObjectReader {
        void read(JsonParser p, int index) throws IOException;
    }

    private static void forEachObject(JsonParser p, JsonToken start, String what, ObjectReader reader) throws IOException {
        expect(p, start, JsonToken.START_ARRAY, what);
        int i = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(p, t, JsonToken.START_OBJECT, what + "[" + i + "]");
            reader.read(p, i++);
        }
    }

    private static long readImageId(JsonParser p, String what) throws IOException {
        Long id = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            if (f.equals("id")) {
                id = integer(p, what + ".id");
            } else {
                p.skipChildren();
            }
        }
        return required(id, what + ".id");
    }

    private static void readCategory(JsonParser p, CocoGroundTruth.Builder b, String what) throws IOException {
        Long id = null;
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "id" -> id = integer(p, what + ".id");
                case "name" -> name = p.getValueAsString();
                default -> p.skipChildren();
            }
        }
        b.category(required(id, what + ".id"), name == null ? String.valueOf(id) : name);
    }

    private static void readAnnotation(JsonParser p, CocoGroundTruth.Builder b, String what) throws IOException {
        Long id = null;
        Long image = null;
        Long category = null;
        double[] box = null;
        double area = Double.NaN;
        boolean crowd = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            switch (f) {
                case "id" -> id = integer(p, what + ".id");
                case "image_id" -> image = integer(p, what + ".image_id");
                case "category_id" -> category = integer(p, what + ".category_id");
                case "bbox" -> box = bbox(p, t, what + ".bbox");
                case "area" -> area = number(p, what + ".area");
                case "iscrowd" -> crowd = t == JsonToken.VALUE_TRUE || (t.isNumeric() && p.getDoubleValue() != 0);
                default -> p.skipChildren();
            }
        }
        required(box, what + ".bbox");
        if (Double.isNaN(area)) {
            throw new EvalInputException(what + " has no area field (COCO evaluation takes area ranges from it)");
        }
        b.annotation(required(id, what + ".id"), required(image, what + ".image_id"), required(category, what + ".category_id"),
                box[0], box[1], box[2], box[3], area, crowd);
    }

    /** Reads one result; returns null, or the image_id text when {@code imageIds} does not know it. */
    private static String readResult(JsonParser p, CocoDetections.Builder b, Function<String, Long> imageIds, String what) throws IOException {
        Long image = null;
        String imageText = null;
        Long category = null;
        double[] box = null;
        Double score = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            switch (f) {
                case "image_id" -> {
                    imageText = p.getText();
                    if (imageIds != null) {
                        image = t.isScalarValue() ? imageIds.apply(imageText) : null;
                    } else {
                        image = integer(p, what + ".image_id");
                    }
                }
                case "category_id" -> category = integer(p, what + ".category_id");
                case "bbox" -> box = bbox(p, t, what + ".bbox");
                case "score" -> score = number(p, what + ".score");
                default -> p.skipChildren();
            }
        }
        required(imageText, what + ".image_id");
        required(box, what + ".bbox");
        if (image == null) {
            return imageText;
        }
        b.add(image, required(category, what + ".category_id"), box[0], box[1], box[2], box[3], required(score, what + ".score"));
        return null;
    }

    private static long integer(JsonParser p, String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT && p.getDoubleValue() == Math.rint(p.getDoubleValue())) {
            return (long) p.getDoubleValue();
        }
        throw new EvalInputException(what + " must be an integer, got " + t + " '" + p.getText() + "'");
    }

    private static double number(JsonParser p, String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t.isNumeric()) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_STRING && p.getText().equalsIgnoreCase("nan")) {
            return Double.NaN;
        }
        throw new EvalInputException(what + " must be a number, got " + t + " '" + p.getText() + "'");
    }

    private static double[] bbox(JsonParser p, JsonToken t, String what) throws IOException {
        expect(p, t, JsonToken.START_ARRAY, what);
        double[] box = new double[4];
        int n = 0;
        for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
            if (n == 4) {
                throw new EvalInputException(what + " has more than 4 numbers; expected [x, y, w, h]");
            }
            box[n++] = number(p, what + "[" + (n - 1) + "]");
        }
        if (n != 4) {
            throw new EvalInputException(what + " has " + n + " numbers; expected [x, y, w, h]");
        }
        return box;
    }

    private static void expect(JsonParser p, JsonToken got, JsonToken want, String what) {
        if (got != want) {
            throw new EvalInputException(what + ": expected " + want + " but found " + got
                    + " at line " + p.currentLocation().getLineNr());
        }
    }

    private static <T> T required(T value, String what) {
        if (value == null) {
            throw new EvalInputException(what + " is missing");
        }
        return value;
    }
}
