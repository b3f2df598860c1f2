package org.aligndet.export.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.export.eval.AtomicFiles;

/**
 * mmdeploy-style descriptions written beside an exported model ({@code export --deploy-files}), for
 * serving stacks that read mmdeploy's layout:
 * <ul>
 *   <li>{@code deploy.json}: {@code version}, {@code task} ({@code Detector}), {@code models[0]}
 *       ({@code name} = the spec, {@code net} = the ONNX file's name, {@code backend} {@code onnxruntime},
 *       {@code precision} {@code FP32}, {@code batch_size} 1, {@code dynamic_shape} true, {@code input}
 *       and {@code output} tensor names), {@code customs} (empty);</li>
 *   <li>{@code pipeline.json}: {@code pipeline.tasks}: Preprocess (LoadImageFromFile; Resize keep_ratio to
 *       (long, short); Normalize with mean 0 / std 1 and to_rgb, because the graph normalises itself; Pad to
 *       the divisor with the mean colour; Collect {@code img}), the Net (input {@code img} mapped to
 *       {@code images}), and postprocess ({@code ResizeBBox}: the boxes back to original image pixels, with
 *       the decoding settings the graph applies: nms_pre, score_thr, nms iou_threshold, max_per_img), and
 *       {@code classes}.</li>
 * </ul>
 * They describe the model; the mmdeploy SDK itself was not run on them here.
 */
public final class DeployFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DeployFiles() {
    }

    /** Writes {@code deploy.json} and {@code pipeline.json} into the model's folder, atomically; returns their paths. */
    public static List<Path> write(Path model, ExportMetadata meta) {
        Path dir = model.toAbsolutePath().getParent();
        Path deploy = dir.resolve("deploy.json");
        Path pipeline = dir.resolve("pipeline.json");
        try {
            AtomicFiles.write(deploy, out -> out.write((JSON.writeValueAsString(deploy(model, meta)) + "\n").getBytes(StandardCharsets.UTF_8)));
            AtomicFiles.write(pipeline, out -> out.write((JSON.writeValueAsString(pipeline(meta)) + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (UncheckedIOException e) {
            throw new ExportException(dir + ": cannot write deploy.json / pipeline.json: " + e.getMessage(), e);
        }
        return List.of(deploy, pipeline);
    }

    static ObjectNode deploy(Path model, ExportMetadata meta) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.3.1");
        root.put("task", "Detector");
        ObjectNode m = root.putArray("models").addObject();
        m.put("name", meta.spec());
        m.put("net", model.getFileName().toString());
        m.put("weights", "");
        m.put("backend", "onnxruntime");
        m.put("precision", "FP32");
        m.put("batch_size", 1);
        m.put("dynamic_shape", true);
        m.putArray("input").add("images");
        m.putArray("output").add("dets").add("labels");
        root.putArray("customs");
        return root;
    }

    static ObjectNode pipeline(ExportMetadata meta) {
        ExportMetadata.Preprocessing pre = meta.preprocess();
        ObjectNode root = JSON.createObjectNode();
        ObjectNode p = root.putObject("pipeline");
        p.putArray("input").add("img");
        p.putArray("output").add("post_output");
        ArrayNode tasks = p.putArray("tasks");
        ObjectNode prep = tasks.addObject();
        prep.put("type", "Task").put("module", "Transform").put("name", "Preprocess");
        prep.putArray("input").add("img");
        prep.putArray("output").add("prep_output");
        ArrayNode tf = prep.putArray("transforms");
        tf.addObject().put("type", "LoadImageFromFile");
        ObjectNode resize = tf.addObject().put("type", "Resize").put("keep_ratio", true);
        resize.putArray("size").add(pre.shortSide()).add(pre.longSide()); // mmdeploy's (h, w) order of the scale bounds
        ObjectNode norm = tf.addObject().put("type", "Normalize").put("to_rgb", true);
        norm.putArray("mean").add(0).add(0).add(0);
        norm.putArray("std").add(1).add(1).add(1);
        ObjectNode pad = tf.addObject().put("type", "Pad").put("size_divisor", pre.padDivisor());
        ArrayNode padVal = pad.putObject("pad_val").putArray("img");
        for (float v : pre.mean()) {
            padVal.add(v);
        }
        tf.addObject().put("type", "DefaultFormatBundle");
        ObjectNode collect = tf.addObject().put("type", "Collect");
        collect.putArray("keys").add("img");
        collect.putArray("meta_keys").add("ori_shape").add("img_shape").add("pad_shape").add("scale_factor");
        ObjectNode net = tasks.addObject();
        net.put("name", meta.spec()).put("type", "Task").put("module", "Net");
        net.putArray("input").add("prep_output");
        net.putArray("output").add("infer_output");
        net.putObject("input_map").put("img", "images");
        net.putObject("output_map");
        ObjectNode post = tasks.addObject();
        post.put("type", "Task").put("module", "mmdet").put("name", "postprocess").put("component", "ResizeBBox");
        ObjectNode params = post.putObject("params");
        ExportMetadata.Postprocessing pp = meta.postprocess();
        if (pp != null) {
            params.put("nms_pre", pp.nmsPre()).put("min_bbox_size", 0).put("score_thr", pp.scoreThr());
            params.putObject("nms").put("type", "nms").put("iou_threshold", pp.nmsIou());
            params.put("max_per_img", pp.maxPerImg());
        }
        post.putArray("output").add("post_output");
        post.putArray("input").add("prep_output").add("infer_output");
        ArrayNode classes = root.putArray("classes");
        meta.classes().forEach(classes::add);
        return root;
    }
}
