package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.export.onnx.TrainedCheckpoint;
import org.aligndet.trainer.run.MetricsLog;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.ShapeClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings like mmdetection's ({@code --config}, {@code --set}, {@code --auto-scale-lr}), the
 * resolved {@code config.json} and checkpoint {@code meta.config}, and a spec of your own given as a
 * file ({@code --spec path/NAME.json}, graphs beside it) through fine-tuning, export (spec from the
 * checkpoint's meta), check and predict, on generated VOC-format data.
 */
class SettingsCommandTest {
    @TempDir
    static Path tmp;
    static Path voc;
    static Path classes;
    static Path ownSpec;

    static CliRun run(String... args) {
        return CliRun.main(args);
    }

    @BeforeAll
    static void prepare() throws Exception {
        voc = CliRun.smallVoc(tmp, 5);
        classes = tmp.resolve("classes.txt");
        Files.write(classes, ShapeClass.classNames());
        // a spec of one's own: the tiny RetinaNet renamed, its graphs in graphs/ beside the spec file
        ModelSpecs specs = ModelSpecs.locate();
        Path dir = tmp.resolve("my-specs");
        Files.createDirectories(dir.resolve("graphs"));
        ownSpec = dir.resolve("my_shapes.json");
        Files.writeString(ownSpec, Files.readString(specs.directory().resolve("retinanet_tiny.json"))
                .replace("\"name\": \"retinanet_tiny\"", "\"name\": \"my_shapes\""));
        for (String ext : List.of(".ts", ".pretrain.ts", ".onnx", ".manifest.json")) {
            Files.copy(specs.directory().resolve("graphs/retinanet_tiny" + ext), dir.resolve("graphs/my_shapes" + ext));
        }
    }

    static String[] finetune(String spec, Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("finetune", "--spec", spec, "--train", voc.toString(), "--split", "train",
                "--classes", classes.toString(), "--out", out.toString(), "--iters", "3", "--scale", "128,96", "--recipe", "baseline",
                "--log-every", "1", "--threads", "1", "--workers", "1", "--device", "cpu"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static double firstLr(Path out) throws Exception {
        List<Map<String, Double>> rows = MetricsLog.read(out.resolve("metrics.jsonl"));
        return rows.stream().filter(r -> r.containsKey("lr")).findFirst().orElseThrow().get("lr");
    }

    @Test
    void ownSpecFileWithConfigAndSetTrainsExportsChecksAndPredicts() throws Exception {
        Path config = tmp.resolve("ft.yaml");
        Files.writeString(config, "# YAML config\nfinetune:\n  lr: 0.004\n  warmup_iters: 0\n");
        Path out = tmp.resolve("own");
        CliRun r = run(finetune(ownSpec.toString(), out, "--batch", "2", "--config", config.toString(), "--set", "finetune.lr=0.005"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: --batch 2 is not the finetune recipe's batch 4"), r.err());
        assertEquals(0.005, firstLr(out), 1e-12, "--set wins over the config file, which has no warm-up");

        JsonNode c = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("my_shapes", c.get("spec").asText());
        assertEquals(ownSpec.toAbsolutePath().toString(), c.get("spec_file").asText());
        assertEquals(config.toAbsolutePath().toString(), c.at("/sources/config_file").asText());
        assertEquals("finetune.lr=0.005", c.at("/sources/set/0").asText());
        assertEquals(2, c.at("/sources/cli/--batch").asInt());
        assertEquals(0.005, c.at("/finetune/lr").asDouble());
        assertEquals(0, c.at("/finetune/warmup_iters").asInt());
        assertEquals(4, c.at("/finetune/batch").asInt(), "the recipe's batch; the run's is under run");
        assertEquals(2, c.at("/run/batch").asInt());
        assertEquals(0.005, c.at("/run/lr").asDouble());
        assertFalse(c.at("/run/auto_scale_lr").asBoolean());

        TrainedCheckpoint ckpt = TrainedCheckpoint.read(out.resolve("last.pth"));
        assertEquals(Files.readString(out.resolve("config.json")).trim(), ckpt.metaText("config"));
        assertEquals(ownSpec.toAbsolutePath().toString(), ckpt.specRef());

        Path onnx = tmp.resolve("own.onnx");
        CliRun e = run("export", "--checkpoint", out.resolve("last.pth").toString(), "--out", onnx.toString(), "--deploy-files");
        assertEquals(0, e.code(), e.err());
        OnnxModel exported = OnnxModel.load(onnx);
        Map<String, String> meta = exported.metadata();
        assertEquals("my_shapes", meta.get("aligndet.spec"));
        assertEquals("aligndet", exported.producerName());
        assertEquals("0.05", meta.get("aligndet.postprocess.score_thr"));
        assertEquals("0.5", meta.get("aligndet.postprocess.nms_iou"));
        assertEquals("100", meta.get("aligndet.postprocess.max_per_img"));
        assertEquals("1000", meta.get("aligndet.postprocess.nms_pre"));
        assertEquals("xyxy", meta.get("aligndet.output.box_format"));
        assertTrue(meta.get("aligndet.output.frame").startsWith("network input pixels"));
        JsonNode deploy = new ObjectMapper().readTree(tmp.resolve("deploy.json").toFile());
        assertEquals("own.onnx", deploy.at("/models/0/net").asText());
        assertEquals("onnxruntime", deploy.at("/models/0/backend").asText());
        JsonNode pipeline = new ObjectMapper().readTree(tmp.resolve("pipeline.json").toFile());
        assertEquals(0.5, pipeline.at("/pipeline/tasks/2/params/nms/iou_threshold").asDouble());
        assertEquals("images", pipeline.at("/pipeline/tasks/1/input_map/img").asText());
        assertEquals(8, pipeline.get("classes").size());
        CliRun k = run("check", "--checkpoint", out.resolve("last.pth").toString(), "--model", onnx.toString(), "--images",
                voc.resolve("JPEGImages").toString(), "-n", "2");
        assertEquals(CheckCommand.PASSED, k.code(), k.out() + k.err());
        CliRun p = run("predict", "--model", out.resolve("last.pth").toString(), "--images", voc.resolve("JPEGImages").toString(),
                "--out", tmp.resolve("pred").toString(), "--no-progress");
        assertEquals(0, p.code(), p.err());
        assertTrue(Files.exists(tmp.resolve("pred/results.json")));
    }

    @Test
    void autoScaleLrScalesLinearlyWithTheBatch() throws Exception {
        Path out = tmp.resolve("scaled");
        CliRun r = run(finetune("retinanet_tiny", out, "--batch", "2", "--auto-scale-lr", "--set", "finetune.warmup_iters=0"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("--auto-scale-lr: lr 0.01 x 2 / 4 = 0.005"), r.err());
        assertFalse(r.err().contains("warning: --batch"), r.err());
        assertEquals(0.005, firstLr(out), 1e-12);
        JsonNode c = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals(0.005, c.at("/run/lr").asDouble(), 1e-12);
        assertTrue(c.at("/run/auto_scale_lr").asBoolean());
        assertEquals(0.01, c.at("/finetune/lr").asDouble(), "the recipe itself is unchanged");
    }

    @Test
    void pretrainTakesItsSectionAndRecordsIt() throws Exception {
        Path images = tmp.resolve("data/train");
        Path proposals = tmp.resolve("proposals.json");
        CliRun pr = run("proposals", "--images", images.toString(), "--out", proposals.toString(), "--mode", "single", "--no-progress");
        assertEquals(0, pr.code(), pr.err());
        Path config = tmp.resolve("pre.json");
        Files.writeString(config, "{\"pretrain\": {\"temperature\": 0.2, \"sample_boxes\": 32, \"warmup_iters\": 0}}");
        Path out = tmp.resolve("pre");
        CliRun r = run("pretrain", "--spec", "retinanet_tiny", "--images", images.toString(), "--proposals", proposals.toString(),
                "--out", out.toString(), "--iters", "2", "--config", config.toString(), "--set", "pretrain.temperature=0.3",
                "--set", "pretrain.lr=0.004", "--device", "cpu", "--threads", "1", "--workers", "1", "--log-every", "1");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("warning: --batch"), "no --batch given: " + r.err());
        assertEquals(0.004, firstLr(out), 1e-12);
        JsonNode c = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("pretrain", c.get("stage").asText());
        assertEquals(0.3, c.at("/pretrain/temperature").asDouble());
        assertEquals(0.3, c.at("/run/temperature").asDouble());
        assertEquals(32, c.at("/run/sample_boxes").asInt());
        TrainedCheckpoint pre = TrainedCheckpoint.read(out.resolve("pretrained.pth"));
        assertEquals("0.3", pre.metaText("temperature"));
        assertEquals(Files.readString(out.resolve("config.json")).trim(), pre.metaText("config"));
    }

    @Test
    void unknownKeysAndConflictsAreUsageErrors() throws Exception {
        CliRun r = run(finetune("retinanet_tiny", tmp.resolve("bad1"), "--set", "finetune.lrr=0.1"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("unknown key 'finetune.lrr'") && r.err().contains("finetune.lr,")
                && r.err().contains("pretrain.temperature"), r.err());
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"optimizer\": {\"lr\": 1}}");
        CliRun f = run(finetune("retinanet_tiny", tmp.resolve("bad2"), "--config", bad.toString()));
        assertEquals(2, f.code(), f.err());
        assertTrue(f.err().contains(bad + ": unknown section 'optimizer' (valid: finetune, pretrain)"), f.err());
        CliRun both = run(finetune("retinanet_tiny", tmp.resolve("bad3"), "--auto-scale-lr", "--lr", "0.1"));
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("--auto-scale-lr") && both.err().contains("give one"), both.err());
        CliRun range = run(finetune("retinanet_tiny", tmp.resolve("bad4"), "--set", "finetune.lr=-1"));
        assertEquals(1, range.code(), range.err());
        assertTrue(range.err().contains("lr -1.0") && range.err().contains("--set finetune.lr=-1"), range.err());
        CliRun missing = run(finetune(tmp.resolve("nope.json").toString(), tmp.resolve("bad5")));
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains(tmp.resolve("nope.json") + ": no such spec file"), missing.err());
        assertFalse(Files.exists(tmp.resolve("bad1/config.json")));
    }
}
