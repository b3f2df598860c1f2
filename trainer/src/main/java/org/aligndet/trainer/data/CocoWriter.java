package org.aligndet.trainer.data;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.aligndet.bridge.io.AtomicFiles;
import org.aligndet.trainer.mask.Segmentation;

/**
 * Writes a {@link Dataset} as a COCO instances file, atomically and deterministically (same dataset,
 * same bytes). The inverse of {@link CocoReader#read} for labelled data.
 *
 * <p>Images: {@code id}, {@code file_name = key}, {@code width}, {@code height}. Annotations:
 * {@code id} = the instance's id (must be unique in the file), {@code image_id},
 * {@code category_id = categoryId}, {@code bbox = [x1, y1, x2 - x1, y2 - y1]} (integral values written
 * as integers), {@code area} (the instance's, or the box area when it is NaN), {@code iscrowd}, and
 * {@code ignore} only when set, and {@code segmentation} where the record carries one for the
 * instance ({@link ImageRecord#segmentations}: polygons, RLE runs or compressed RLE, as held). Categories: {@code categoryIds.get(l)} named {@code classes.get(l)}.
 */
public final class CocoWriter {
    private CocoWriter() {
    }

    public static void write(Dataset dataset, Path file) throws IOException {
        write(dataset, file, Map.of());
    }

    /** Writes {@code dataset} to {@code file} with {@code info} as COCO's {@code info} block (string values). */
    public static void write(Dataset dataset, Path file, Map<String, String> info) throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.setPrettyPrinter(new DefaultPrettyPrinter());
                g.writeStartObject();
                g.writeObjectFieldStart("info");
                for (Map.Entry<String, String> e : new java.util.TreeMap<>(info).entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
                writeImages(g, dataset);
                writeAnnotations(g, dataset);
                writeCategories(g, dataset);
                g.writeEndObject();
            }
        });
    }

    private static void writeImages(JsonGenerator g, Dataset dataset) throws IOException {
        g.writeArrayFieldStart("images");
        for (ImageRecord img : dataset.images()) {
            g.writeStartObject();
            g.writeNumberField("id", img.id());
            g.writeStringField("file_name", img.key());
            g.writeNumberField("width", img.width());
            g.writeNumberField("height", img.height());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeAnnotations(JsonGenerator g, Dataset dataset) throws IOException {
        g.writeArrayFieldStart("annotations");
        for (ImageRecord img : dataset.images()) {
            for (int k = 0; k < img.instances().size(); k++) {
                Instance inst = img.instances().get(k);
                g.writeStartObject();
                g.writeNumberField("id", inst.id());
                g.writeNumberField("image_id", img.id());
                g.writeNumberField("category_id", inst.categoryId());
                g.writeArrayFieldStart("bbox");
                number(g, inst.x1());
                number(g, inst.y1());
                number(g, inst.width());
                number(g, inst.height());
                g.writeEndArray();
                g.writeFieldName("area");
                number(g, Double.isNaN(inst.area()) ? (double) inst.width() * inst.height() : inst.area());
                g.writeNumberField("iscrowd", inst.crowd() ? 1 : 0);
                if (inst.ignore()) {
                    g.writeNumberField("ignore", 1);
                }
                Segmentation seg = img.segmentations().isEmpty() ? null : img.segmentations().get(k);
                if (seg != null) {
                    g.writeFieldName("segmentation");
                    segmentation(g, seg);
                }
                g.writeEndObject();
            }
        }
        g.writeEndArray();
    }

    /** A segmentation in the form it holds: polygons, RLE runs, or compressed RLE. */
    private static void segmentation(JsonGenerator g, Segmentation seg) throws IOException {
        if (seg instanceof Segmentation.Polygons p) {
            g.writeStartArray();
            for (double[] xy : p.polygons()) {
                g.writeStartArray();
                for (double v : xy) {
                    number(g, v);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
        } else if (seg instanceof Segmentation.Counts c) {
            g.writeStartObject();
            g.writeArrayFieldStart("size");
            g.writeNumber(c.height());
            g.writeNumber(c.width());
            g.writeEndArray();
            g.writeArrayFieldStart("counts");
            for (long run : c.counts()) {
                g.writeNumber(run);
            }
            g.writeEndArray();
            g.writeEndObject();
        } else if (seg instanceof Segmentation.Compressed c) {
            g.writeStartObject();
            g.writeArrayFieldStart("size");
            g.writeNumber(c.height());
            g.writeNumber(c.width());
            g.writeEndArray();
            g.writeStringField("counts", c.counts());
            g.writeEndObject();
        }
    }

    private static void writeCategories(JsonGenerator g, Dataset dataset) throws IOException {
        g.writeArrayFieldStart("categories");
        for (int label = 0; label < dataset.classes().size(); label++) {
            g.writeStartObject();
            g.writeNumberField("id", dataset.categoryIds().get(label));
            g.writeStringField("name", dataset.classes().get(label));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void number(JsonGenerator g, double v) throws IOException {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            g.writeNumber((long) v);
        } else {
            g.writeNumber(v);
        }
    }

    private static void number(JsonGenerator g, float v) throws IOException {
        if (v == Math.rint(v) && Math.abs(v) < 1e7f) {
            g.writeNumber((long) v);
        } else {
            g.writeNumber(v);
        }
    }
}
