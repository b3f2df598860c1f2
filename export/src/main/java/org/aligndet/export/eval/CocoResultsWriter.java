package org.aligndet.export.eval;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.nio.file.Path;

/**
 * Writes detections as a COCO results file: a JSON array of
 * {@code {"image_id", "category_id", "bbox": [x, y, w, h], "score"}}, in the detections' order,
 * which {@link CocoDetections#read(Path)} reads back to the same values. Mask detections
 * ({@link CocoDetections#hasMasks()}) add {@code "segmentation": {"size": [h, w], "counts": RLE}}, read
 * back by {@link CocoDetections#readMasks(Path)}.
 */
public final class CocoResultsWriter {
    private CocoResultsWriter() {
    }

    public static void write(Path file, CocoDetections dt) {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartArray();
                for (int i = 0; i < dt.size(); i++) {
                    g.writeStartObject();
                    g.writeNumberField("image_id", dt.imageId[i]);
                    g.writeNumberField("category_id", dt.categoryId[i]);
                    g.writeFieldName("bbox");
                    g.writeArray(new double[]{dt.x[i], dt.y[i], dt.w[i], dt.h[i]}, 0, 4);
                    g.writeNumberField("score", dt.score[i]);
                    if (dt.hasMasks()) {
                        g.writeObjectFieldStart("segmentation");
                        g.writeArrayFieldStart("size");
                        g.writeNumber(dt.maskHeight[i]);
                        g.writeNumber(dt.maskWidth[i]);
                        g.writeEndArray();
                        g.writeStringField("counts", dt.maskCounts[i]);
                        g.writeEndObject();
                    }
                    g.writeEndObject();
                    g.writeRaw('\n');
                }
                g.writeEndArray();
            }
        });
    }
}
