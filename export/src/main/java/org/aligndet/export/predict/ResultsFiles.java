package org.aligndet.export.predict;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.util.List;
import java.util.function.IntToLongFunction;
import java.nio.file.Path;
import org.aligndet.export.eval.AtomicFiles;
import org.aligndet.export.eval.CocoDetections;
import org.aligndet.export.eval.CocoResultsWriter;

/**
 * Writes predictions as files other tools read. Boxes go out as COCO {@code [x, y, w, h]} with
 * {@code x = x1, w = x2 - x1} in the original image's continuous 0-based pixels (the frame
 * {@code aligndet eval --results} expects, for VOC too). All writes are atomic.
 */
public final class ResultsFiles {
    private ResultsFiles() {
    }

    /** The detections as COCO results, image ids as given and {@code category_id = categoryOf(label)}. */
    public static CocoDetections toCoco(List<ImageDetections> images, IntToLongFunction categoryOf) {
        CocoDetections.Builder b = CocoDetections.builder();
        for (ImageDetections img : images) {
            for (Detection d : img.detections()) {
                double[] box = xywh(d);
                b.add(img.imageId(), categoryOf.applyAsLong(d.label()), box[0], box[1], box[2], box[3], clean(d.score()));
            }
        }
        return b.build();
    }

    /** A COCO results file ({@code [{image_id, category_id, bbox, score}]}). */
    public static void writeCocoResults(Path file, List<ImageDetections> images, IntToLongFunction categoryOf) {
        CocoResultsWriter.write(file, toCoco(images, categoryOf));
    }

    /**
     * A COCO-style image list ({@code {"images": [{id, file_name, width, height}], "categories":
     * [{id: 1 + label, name}], "annotations": []}}): the ids a results file refers to, and a ground
     * truth skeleton to annotate.
     */
    public static void writeImageList(Path file, List<ImageDetections> images, List<String> classes) {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeArrayFieldStart("images");
                for (ImageDetections img : images) {
                    g.writeStartObject();
                    g.writeNumberField("id", img.imageId());
                    g.writeStringField("file_name", img.key());
                    g.writeNumberField("width", img.width());
                    g.writeNumberField("height", img.height());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("categories");
                for (int i = 0; i < classes.size(); i++) {
                    g.writeStartObject();
                    g.writeNumberField("id", i + 1);
                    g.writeStringField("name", classes.get(i));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("annotations");
                g.writeEndArray();
                g.writeEndObject();
            }
        });
    }

    /**
     * A results file for VOC: as COCO results, but {@code image_id} is the VOC image id string
     * (the image's key) and {@code category_id = 1 + label}, as {@code aligndet eval --voc} reads it.
     */
    public static void writeVocResults(Path file, List<ImageDetections> images) {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartArray();
                for (ImageDetections img : images) {
                    for (Detection d : img.detections()) {
                        g.writeStartObject();
                        g.writeStringField("image_id", img.key());
                        g.writeNumberField("category_id", d.label() + 1);
                        g.writeFieldName("bbox");
                        g.writeArray(xywh(d), 0, 4);
                        g.writeNumberField("score", clean(d.score()));
                        g.writeEndObject();
                        g.writeRaw('\n');
                    }
                }
                g.writeEndArray();
            }
        });
    }

    /** {@code [x1, y1, x2 - x1, y2 - y1]}, sizes at least 0, each value the float's shortest decimal form. */
    static double[] xywh(Detection d) {
        double x = clean(d.x1());
        double y = clean(d.y1());
        return new double[] {x, y, Math.max(0, clean(d.x2()) - x), Math.max(0, clean(d.y2()) - y)};
    }

    /** 33.3f as 33.3, not 33.29999923706055. */
    static double clean(float v) {
        return Double.parseDouble(Float.toString(v));
    }
}
