package org.aligndet.export.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.infer.Detections;

/**
 * Detections for the VOC evaluator, in VOC's 1-based inclusive frame ({@link VocDetection},
 * float64): read from a results file, or taken from a model's {@link Detections} as the results
 * file written for them holds them ({@link AsWritten}).
 */
public final class VocResults {
    private VocResults() {
    }

    /**
     * Reads a COCO results file for VOC images: {@code image_id} is a VOC image id as a string
     * ({@code "000001"}) or a number ({@code 1}, matched to the all-digit id of that value);
     * {@code category_id} is {@code 1 + } the index in {@code classes}; a box {@code [x, y, w, h]}
     * maps to {@code x1 = x + 1, x2 = x + w}. Unknown image ids and category ids are each reported
     * together, with a count and examples.
     */
    public static List<VocDetection> read(Path results, List<VocImage> images, List<String> classes) {
        Map<String, Long> byId = new HashMap<>();
        Map<Long, Long> byNumber = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            String id = images.get(i).id();
            byId.put(id, (long) i);
            if (id.matches("\\d{1,18}")) {
                byNumber.put(Long.parseLong(id), (long) i);
            }
        }
        CocoDetections coco = CocoDetections.read(results, text -> {
            Long i = byId.get(text);
            return i != null || !text.matches("\\d{1,18}") ? i : byNumber.get(Long.parseLong(text));
        });
        List<VocDetection> out = new ArrayList<>(coco.size());
        List<String> bad = new ArrayList<>();
        int numBad = 0;
        for (int i = 0; i < coco.size(); i++) {
            long cat = coco.categoryId(i);
            if (cat < 1 || cat > classes.size()) {
                if (numBad++ < 5) {
                    bad.add(cat + " (#" + i + ")");
                }
                continue;
            }
            double[] b = coco.bbox(i);
            out.add(new VocDetection(images.get((int) coco.imageId(i)).id(), (int) cat - 1, coco.score(i),
                    b[0] + 1, b[1] + 1, b[0] + b[2], b[1] + b[3]));
        }
        if (numBad > 0) {
            throw new EvalInputException(results + ": " + numBad + " detections have a category_id outside 1.." + classes.size()
                    + " (category_id = 1 + index in " + classes + "), e.g. " + String.join(", ", bad));
        }
        return out;
    }

    /**
     * A model's detections (image ids their keys, labels class indices) with each value the
     * shortest decimal of its float: {@code x1 = x1' + 1} and {@code x2 = x2'} where {@code '}
     * marks that decimal, likewise for y.
     */
    public static List<VocDetection> asWritten(List<Detections> detections) {
        List<VocDetection> out = new ArrayList<>();
        for (Detections d : detections) {
            float[] b = d.boxes();
            for (int i = 0; i < d.size(); i++) {
                out.add(new VocDetection(d.key(), d.labels()[i], AsWritten.decimal(d.scores()[i]), AsWritten.decimal(b[4 * i]) + 1,
                        AsWritten.decimal(b[4 * i + 1]) + 1, AsWritten.decimal(b[4 * i + 2]), AsWritten.decimal(b[4 * i + 3])));
            }
        }
        return out;
    }
}
