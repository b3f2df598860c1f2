package org.aligndet.export.predict;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntToLongFunction;
import org.aligndet.export.eval.AsWritten;
import org.aligndet.export.eval.AtomicFiles;
import org.aligndet.export.eval.CocoDetections;
import org.aligndet.export.eval.CocoResultsWriter;
import org.aligndet.trainer.infer.Detections;

/**
 * Writes predictions as files other tools read. Boxes go out as COCO {@code [x, y, w, h]} with
 * {@code x = x1, w = x2 - x1} in the original image's continuous 0-based pixels (the frame
 * {@code aligndet eval --results} expects, for VOC too), every value as {@link AsWritten} says. All
 * writes are atomic.
 */
public final class ResultsFiles {
    private ResultsFiles() {
    }

    /** The detections as a results file holds them, image ids as given and {@code category_id = categoryOf(label)}. */
    public static CocoDetections toCoco(List<Detections> images, IntToLongFunction categoryOf) {
        CocoDetections.Builder b = CocoDetections.builder();
        images.forEach(d -> b.addAsWritten(d, categoryOf));
        return b.build();
    }

    /**
     * Mask detections as a mask results file holds them (mmdetection's {@code segm} results: bbox, score
     * and segmentation RLE per entry): the box as {@link #toCoco} writes it, the area the box's (as
     * pycocotools' {@code loadRes} sets it when the entries have boxes, {@link CocoDetections#readMasks}).
     *
     * @throws IllegalArgumentException when an image's result has no masks
     */
    public static CocoDetections toCocoMasks(List<PredictionRun.Predicted> images, IntToLongFunction categoryOf) {
        CocoDetections.Builder b = CocoDetections.builder();
        for (PredictionRun.Predicted p : images) {
            Detections d = p.detections();
            if (p.masks() == null) {
                throw new IllegalArgumentException("the prediction of '" + d.key() + "' has no masks");
            }
            for (int i = 0; i < d.size(); i++) {
                double[] box = AsWritten.xywh(d, i);
                b.addMask(d.imageId(), categoryOf.applyAsLong(d.labels()[i]), box[0], box[1], box[2], box[3],
                        AsWritten.decimal(d.scores()[i]), p.masks().get(i), box[2] * box[3]);
            }
        }
        return b.build();
    }

    /** A COCO results file ({@code [{image_id, category_id, bbox, score}]}). */
    public static void writeCocoResults(Path file, List<Detections> images, IntToLongFunction categoryOf) {
        CocoResultsWriter.write(file, toCoco(images, categoryOf));
    }

    /**
     * A COCO-style image list ({@code {"images": [{id, file_name, width, height}], "categories":
     * [{id: 1 + label, name}], "annotations": []}}): the ids a results file refers to, and a ground
     * truth skeleton to annotate.
     */
    public static void writeImageList(Path file, List<PredictionRun.Predicted> images, List<String> classes) {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeArrayFieldStart("images");
                for (PredictionRun.Predicted img : images) {
                    g.writeStartObject();
                    g.writeNumberField("id", img.detections().imageId());
                    g.writeStringField("file_name", img.detections().key());
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
    public static void writeVocResults(Path file, List<Detections> images) {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartArray();
                for (Detections d : images) {
                    for (int i = 0; i < d.size(); i++) {
                        g.writeStartObject();
                        g.writeStringField("image_id", d.key());
                        g.writeNumberField("category_id", d.labels()[i] + 1);
                        g.writeFieldName("bbox");
                        g.writeArray(AsWritten.xywh(d, i), 0, 4);
                        g.writeNumberField("score", AsWritten.decimal(d.scores()[i]));
                        g.writeEndObject();
                        g.writeRaw('\n');
                    }
                }
                g.writeEndArray();
            }
        });
    }
}
