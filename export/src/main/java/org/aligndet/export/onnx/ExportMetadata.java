package org.aligndet.export.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.infer.Preprocessor;

/**
 * What an exported model says about itself in ONNX {@code metadata_props}, so that inference needs
 * nothing but the {@code .onnx} file. Keys (all strings; lists are JSON):
 *
 * <pre>
 * aligndet.format_version            1
 * aligndet.spec                      retinanet_tiny
 * aligndet.classes                   ["circle","square",...]          label i names classes[i]
 * aligndet.preprocess.color          RGB
 * aligndet.preprocess.input          float32 [N,3,H,W], 0-255, normalised inside the graph
 * aligndet.preprocess.mean / .std    [123.675,116.28,103.53]          per channel, RGB order
 * aligndet.preprocess.resize         keep_ratio
 * aligndet.preprocess.scale          [320,256]                        (long side, short side)
 * aligndet.preprocess.pad_divisor    32                               pad bottom/right to a multiple
 * aligndet.preprocess.pad_value      mean                             padding is the mean colour
 * aligndet.checkpoint.file           finetune_final.pth               name only, no directories
 * aligndet.checkpoint.sha256         hex digest of the source checkpoint
 * aligndet.provenance.aligndet_pretrained  true | false | unknown
 * aligndet.provenance.stage / .recipe / .iterations                  from the checkpoint's meta; absent when unknown
 * aligndet.postprocess.nms_pre       1000                             top-k per level before NMS (inside the graph)
 * aligndet.postprocess.score_thr     0.05                             least score kept (inside the graph)
 * aligndet.postprocess.nms_iou       0.5                              IoU of the per-class NMS (inside the graph)
 * aligndet.postprocess.max_per_img   100                              K, the rows of dets and labels
 * aligndet.output.box_format         xyxy                             dets[..., 0:4] = x1, y1, x2, y2; dets[..., 4] = score
 * aligndet.output.frame              network input pixels (see FRAME); OnnxPredictor returns original image pixels
 * aligndet.output.labels             int64 [N,K] index into classes; -1 (score 0) marks an empty row
 * </pre>
 * The post-processing entries are absent in models exported before they were written ({@link #postprocess()} null).
 *
 * @param preprocess  the test-time pre-processing the model expects
 * @param provenance  how the weights were trained
 * @param postprocess the decoding settings inside the graph, or null when the model does not say
 */
public record ExportMetadata(String spec, List<String> classes, Preprocessing preprocess, String checkpointFile,
                             String checkpointSha256, Provenance provenance, Postprocessing postprocess) {
    /** What {@code aligndet.output.frame} says: the frame of the graph's {@code dets}. */
    public static final String FRAME = "network input pixels: the image after the keep-ratio resize, before padding "
            + "(divide by the resize factor for original image pixels; OnnxPredictor.predict does)";
    public static final String PREFIX = "aligndet.";
    public static final String FORMAT_VERSION = "1";
    private static final ObjectMapper JSON = new ObjectMapper();

    public ExportMetadata {
        classes = List.copyOf(classes);
    }

    /** Without post-processing settings (a model that does not say). */
    public ExportMetadata(String spec, List<String> classes, Preprocessing preprocess, String checkpointFile,
                          String checkpointSha256, Provenance provenance) {
        this(spec, classes, preprocess, checkpointFile, checkpointSha256, provenance, null);
    }

    /**
     * The decoding inside the graph: pre-NMS top-k per level, score threshold, per-class NMS IoU,
     * detections kept per image (the spec's {@code test} section).
     */
    public record Postprocessing(int nmsPre, double scoreThr, double nmsIou, int maxPerImg) {
    }

    /**
     * Keep-ratio resize to fit (long, short), RGB, pad bottom/right to a multiple of the divisor with
     * the mean colour; the graph normalises {@code (v - mean) / std} itself.
     */
    public record Preprocessing(float[] mean, float[] std, int longSide, int shortSide, int padDivisor) {
        public Preprocessing {
            mean = mean.clone();
            std = std.clone();
        }

        /** The pre-processor that produces this model's input. */
        public Preprocessor toPreprocessor() {
            return new Preprocessor(longSide, shortSide, mean, std, padDivisor);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Preprocessing p && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std)
                    && longSide == p.longSide && shortSide == p.shortSide && padDivisor == p.padDivisor;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(mean) * 31 + longSide * 17 + shortSide;
        }
    }

    /**
     * @param alignDetPretrained whether the weights come from AlignDet box-domain pre-training; null: unknown
     * @param stage              {@code pretrain} or {@code finetune}; null: unknown
     * @param recipe             the recipe text recorded at training time; null: unknown
     * @param iterations         training iterations done; null: unknown
     */
    public record Provenance(Boolean alignDetPretrained, String stage, String recipe, Long iterations) {
        /** From this project's checkpoint meta ({@code aligndet_pretrained}, {@code stage}, {@code recipe}, {@code iter}). */
        public static Provenance of(TrainedCheckpoint c) {
            return new Provenance(c.metaBoolean("aligndet_pretrained"), c.metaText("stage"), c.metaText("recipe"),
                    c.metaLong("iter"));
        }
    }

    /** The metadata entries, in the order listed above. */
    public Map<String, String> toProps() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(PREFIX + "format_version", FORMAT_VERSION);
        p.put(PREFIX + "spec", spec);
        p.put(PREFIX + "classes", json(classes));
        p.put(PREFIX + "preprocess.color", "RGB");
        p.put(PREFIX + "preprocess.input", "float32 [N,3,H,W], 0-255, normalised inside the graph");
        p.put(PREFIX + "preprocess.mean", json(preprocess.mean()));
        p.put(PREFIX + "preprocess.std", json(preprocess.std()));
        p.put(PREFIX + "preprocess.resize", "keep_ratio");
        p.put(PREFIX + "preprocess.scale", json(new int[] {preprocess.longSide(), preprocess.shortSide()}));
        p.put(PREFIX + "preprocess.pad_divisor", Integer.toString(preprocess.padDivisor()));
        p.put(PREFIX + "preprocess.pad_value", "mean");
        p.put(PREFIX + "checkpoint.file", checkpointFile);
        p.put(PREFIX + "checkpoint.sha256", checkpointSha256);
        Boolean pre = provenance.alignDetPretrained();
        p.put(PREFIX + "provenance.aligndet_pretrained", pre == null ? "unknown" : pre.toString());
        putIfKnown(p, "provenance.stage", provenance.stage());
        putIfKnown(p, "provenance.recipe", provenance.recipe());
        putIfKnown(p, "provenance.iterations", provenance.iterations() == null ? null : provenance.iterations().toString());
        if (postprocess != null) {
            p.put(PREFIX + "postprocess.nms_pre", Integer.toString(postprocess.nmsPre()));
            p.put(PREFIX + "postprocess.score_thr", Double.toString(postprocess.scoreThr()));
            p.put(PREFIX + "postprocess.nms_iou", Double.toString(postprocess.nmsIou()));
            p.put(PREFIX + "postprocess.max_per_img", Integer.toString(postprocess.maxPerImg()));
        }
        p.put(PREFIX + "output.box_format", "xyxy");
        p.put(PREFIX + "output.frame", FRAME);
        p.put(PREFIX + "output.labels", "int64 [N,K] index into classes; -1 (score 0) marks an empty row");
        return p;
    }

    private static void putIfKnown(Map<String, String> p, String key, String value) {
        if (value != null) {
            p.put(PREFIX + key, value);
        }
    }

    /**
     * Reads the entries back from a model's metadata.
     *
     * @param source names the model in errors
     * @throws ExportException naming the source and the key when a required entry is missing or
     *                         malformed, or the model was not exported by this project
     */
    public static ExportMetadata fromProps(Map<String, String> props, String source) {
        Reader r = new Reader(props, source);
        String version = r.text("format_version");
        if (!FORMAT_VERSION.equals(version)) {
            throw new ExportException(source + ": metadata format " + version + " is not supported (expected " + FORMAT_VERSION + ")");
        }
        if (!"RGB".equals(r.text("preprocess.color")) || !"keep_ratio".equals(r.text("preprocess.resize"))
                || !"mean".equals(r.text("preprocess.pad_value"))) {
            throw new ExportException(source + ": pre-processing other than RGB, keep_ratio resize and mean padding is not supported");
        }
        JsonNode scale = r.json("preprocess.scale");
        Preprocessing pre = new Preprocessing(r.floats("preprocess.mean"), r.floats("preprocess.std"),
                scale.path(0).asInt(), scale.path(1).asInt(), Integer.parseInt(r.text("preprocess.pad_divisor")));
        List<String> classes = new ArrayList<>();
        r.json("classes").forEach(n -> classes.add(n.asText()));
        String pretrained = props.get(PREFIX + "provenance.aligndet_pretrained");
        String iters = props.get(PREFIX + "provenance.iterations");
        Provenance prov = new Provenance(pretrained == null || pretrained.equals("unknown") ? null : Boolean.valueOf(pretrained),
                props.get(PREFIX + "provenance.stage"), props.get(PREFIX + "provenance.recipe"),
                iters == null ? null : Long.valueOf(iters));
        Postprocessing post = null;
        if (props.containsKey(PREFIX + "postprocess.score_thr")) {
            try {
                post = new Postprocessing(Integer.parseInt(r.text("postprocess.nms_pre")), Double.parseDouble(r.text("postprocess.score_thr")),
                        Double.parseDouble(r.text("postprocess.nms_iou")), Integer.parseInt(r.text("postprocess.max_per_img")));
            } catch (NumberFormatException e) {
                throw new ExportException(source + ": metadata '" + PREFIX + "postprocess.*' is not a number: " + e.getMessage());
            }
        }
        return new ExportMetadata(r.text("spec"), classes, pre, props.get(PREFIX + "checkpoint.file"),
                props.get(PREFIX + "checkpoint.sha256"), prov, post);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Required-key access with errors that name the source and the key. */
    private record Reader(Map<String, String> props, String source) {
        String text(String key) {
            String v = props.get(PREFIX + key);
            if (v == null) {
                throw new ExportException(source + ": metadata '" + PREFIX + key
                        + "' is missing: not a model exported by 'aligndet export' (the bare spec templates carry no metadata)");
            }
            return v;
        }

        JsonNode json(String key) {
            try {
                return JSON.readTree(text(key));
            } catch (JsonProcessingException e) {
                throw new ExportException(source + ": metadata '" + PREFIX + key + "' is not JSON: " + e.getOriginalMessage());
            }
        }

        float[] floats(String key) {
            JsonNode a = json(key);
            if (!a.isArray() || a.size() != 3) {
                throw new ExportException(source + ": metadata '" + PREFIX + key + "' must be a list of 3 numbers, got " + a);
            }
            return new float[] {a.get(0).floatValue(), a.get(1).floatValue(), a.get(2).floatValue()};
        }
    }
}
