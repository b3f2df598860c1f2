package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.ShapeClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aligndet check} on a generated benchmark: a checkpoint and its own export pass (exit 0,
 * reports written, AP of each runtime); a changed ONNX weight, or a tolerance tighter than two
 * runtimes can meet, fails (exit 3); a missing file is an error (exit 1).
 */
class CheckCommandTest {
    @TempDir
    static Path shared;
    static Path bench;
    static Path ckpt;
    static Path onnx;

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.main(args);
    }

    /** The tiny graph's own weights, perturbed; classifier bias 0 and a damped box regressor, so that it detects. */
    @BeforeAll
    static void prepare() throws Exception {
        bench = shared.resolve("bench");
        CliRun r = run("synth", "--out", bench.toString(), "--images", "6", "--seed", "3", "--val-fraction", "0.5",
                "--size", "160", "--threads", "2", "--no-progress");
        assertEquals(0, r.code(), r.err());
        Map<String, HostTensor> sd = new LinkedHashMap<>();
        try (TorchGraph g = TorchGraph.load(ModelSpecs.locate().graph("retinanet_tiny"), Device.cpu())) {
            int k = 0;
            for (Map.Entry<String, HostTensor> e : g.stateDict().entrySet()) {
                float[] v = e.getValue().toFloats();
                for (int i = 0; i < v.length; i++) {
                    double s = Math.sin(0.7 * i + k);
                    v[i] = e.getKey().endsWith("running_var") ? (float) (v[i] * (1 + 0.1 * s)) : (float) (v[i] + 0.02 * s);
                    v[i] = e.getKey().equals("bbox_head.retina_cls.bias") ? 0f
                            : e.getKey().equals("bbox_head.retina_reg.weight") ? 0.05f * v[i] : v[i];
                }
                sd.put(e.getKey(), HostTensor.ofFloats(e.getValue().shape(), v));
                k++;
            }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("spec", "retinanet_tiny");
        meta.put("classes", new ArrayList<Object>(ShapeClass.classNames()));
        ckpt = shared.resolve("ckpt.pth");
        TorchCheckpoint.write(ckpt, Map.of("state_dict", sd, "meta", meta));
        onnx = shared.resolve("model.onnx");
        CliRun e = run("export", "--checkpoint", ckpt.toString(), "--spec", "retinanet_tiny", "--out", onnx.toString());
        assertEquals(0, e.code(), e.err());
    }

    @Test
    void aCheckpointAndItsExportPass() throws Exception {
        Path json = dir.resolve("check.json");
        Path md = dir.resolve("check.md");
        CliRun r = run("check", "--checkpoint", ckpt.toString(), "--onnx", onnx.toString(), "--images", bench.resolve("val").toString(),
                "--coco-gt", bench.resolve("annotations/instances_val.json").toString(), "-n", "2",
                "--json", json.toString(), "--md", md.toString());
        assertEquals(CheckCommand.PASSED, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("# Cross-runtime check: PASS"), r.out());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertTrue(j.get("passed").asBoolean());
        assertEquals(2, j.get("images").asInt());
        assertEquals(10, j.get("outputs").size(), "cls_score and bbox_pred for 5 levels");
        for (JsonNode o : j.get("outputs")) {
            assertTrue(o.get("max_abs").asDouble() <= 1e-3 && o.get("max_rel").isNumber(), o.toString());
        }
        assertTrue(j.get("detections").get("torchscript").asInt() > 0);
        assertEquals(1.0, j.get("detections").get("matched_of_onnxruntime").asDouble());
        assertTrue(j.get("ap").get("onnxruntime_ap").isNumber());
        assertEquals(Files.readString(md), r.out().substring(0, r.out().indexOf("report: ")));
    }

    @Test
    void aChangedOnnxWeightFails() throws Exception {
        OnnxModel m = OnnxModel.load(onnx);
        HostTensor w = m.initializer("bbox_head.retina_cls.bias");
        float[] v = w.toFloats();
        v[3] += 0.05f;
        m.replaceInitializer("bbox_head.retina_cls.bias", HostTensor.ofFloats(w.shape(), v));
        Path bad = dir.resolve("bad.onnx");
        m.save(bad);
        Path json = dir.resolve("bad.json");
        CliRun r = run("check", "--checkpoint", ckpt.toString(), "--onnx", bad.toString(), "--images", bench.resolve("val").toString(),
                "-n", "1", "--json", json.toString());
        assertEquals(CheckCommand.FAILED, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("# Cross-runtime check: FAIL"), r.out());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertFalse(j.get("passed").asBoolean());
        assertTrue(j.get("failures").get(0).asText().startsWith("cls_score_0: max abs diff"), j.get("failures").toString());
    }

    @Test
    void toleranceIsConfigurableAndErrorsExitOne() {
        CliRun tight = run("check", "--checkpoint", ckpt.toString(), "--onnx", onnx.toString(), "--images",
                bench.resolve("val").toString(), "-n", "1", "--max-abs", "0");
        assertEquals(CheckCommand.FAILED, tight.code(), tight.out() + tight.err());
        assertTrue(tight.out().contains("raw max abs <= 0"), tight.out());
        CliRun missing = run("check", "--checkpoint", dir.resolve("none.pth").toString(), "--onnx", onnx.toString(),
                "--images", bench.resolve("val").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("none.pth"), missing.err());
    }
}
