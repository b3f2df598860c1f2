package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.export.eval.CocoDetections;
import org.aligndet.export.eval.CocoEvaluator;
import org.aligndet.export.eval.CocoGroundTruth;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aligndet reproduce} on a test-sized budget (a few iterations per arm): the report carries every
 * field, every arm trained away from where it started, and every AP is that run's own detections scored.
 */
class ReproduceCommandTest {
    static final List<String> RUN_FIELDS = List.of("arm", "fraction", "schedule", "fold", "iters", "train_images", "AP", "AP50",
            "AP75", "curve", "losses", "first_loss", "first_grad_norm", "detections", "seconds");
    static final List<String> SUMMARY_FIELDS = List.of("fraction", "schedule", "metric", "baseline_mean", "aligndet_mean",
            "delta_mean", "delta_se", "folds", "positive_folds", "control_mean", "delta_vs_control_mean", "delta_vs_control_se");

    @Test
    void aTestBudgetWritesTheWholeReport(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("repro");
        assertEquals(0, Main.commandLine().execute("reproduce", "--budget", "test", "--seed", "3", "--out", out.toString(),
                "--threads", "1", "--workers", "1"));
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        JsonNode runs = report.path("runs");
        // 2 cells x 2 folds x 3 arms, and the ablation's cell x 2 folds
        assertEquals(14, runs.size());
        for (JsonNode r : runs) {
            for (String f : RUN_FIELDS) {
                assertTrue(r.has(f), "run lacks " + f + ": " + r);
            }
            assertEquals(5, r.path("losses").size());
            r.path("losses").forEach(l -> assertTrue(l.has("loss_cls") && l.has("loss_bbox") && l.has("iter"), l.toString()));
            assertTrue(List.of("baseline", "aligndet", "baseline_aligndet_recipe", "aligndet_cls_only").contains(r.path("arm").asText()));
        }
        // 2 cells x 3 metrics
        assertEquals(6, report.path("summary").size());
        for (JsonNode e : report.path("summary")) {
            for (String f : SUMMARY_FIELDS) {
                assertTrue(e.has(f), "summary entry lacks " + f + ": " + e);
            }
            assertEquals(2, e.path("folds").asInt());
        }
        assertEquals(3, report.path("ablations").size());
        assertTrue(Files.readString(out.resolve("report.md")).contains("delta +- se"));
        for (String png : List.of("val_ap_0.5_short.png", "loss_cls_0.5_short.png", "loss_bbox_1_long.png")) {
            assertTrue(Files.size(out.resolve(png)) > 1000, png);
        }

        // each AP is the run's own detections scored against the validation split
        CocoGroundTruth gt = CocoGroundTruth.read(out.resolve("data/annotations/instances_val.json"));
        for (JsonNode r : runs) {
            Path dets = out.resolve(r.path("detections").asText());
            // a run of a few iterations may keep no detection above the score threshold: that run scores zero
            boolean none = new ObjectMapper().readTree(dets.toFile()).isEmpty();
            double[] stats = new CocoEvaluator().evaluate(gt, none ? CocoDetections.empty() : CocoDetections.read(dets)).stats();
            assertEquals(r.path("AP").asDouble(), stats[0], 1e-12, r.path("detections").asText());
            assertEquals(r.path("AP50").asDouble(), stats[1], 1e-12);
            assertEquals(r.path("AP75").asDouble(), stats[2], 1e-12);
        }

        // every arm moved away from its starting weights
        ModelSpecs specs = ModelSpecs.locate();
        Map<String, HostTensor> graphInit;
        try (TorchGraph g = TorchGraph.load(specs.graph("retinanet_tiny"), Device.cpu())) {
            graphInit = g.stateDict();
        }
        Map<String, HostTensor> pretrained = TorchCheckpoint.readStateDict(out.resolve("pretrain/main/pretrained.pth"));
        for (JsonNode r : runs) {
            String arm = r.path("arm").asText();
            Path dirOf = out.resolve(r.path("detections").asText()).getParent();
            Map<String, HostTensor> last = TorchCheckpoint.readStateDict(dirOf.resolve("last.pth"));
            Map<String, HostTensor> start = arm.startsWith("aligndet")
                    ? TorchCheckpoint.readStateDict(out.resolve("pretrain/" + (arm.equals("aligndet") ? "main" : arm.substring(9))
                    + "/pretrained.pth")) : graphInit;
            String probe = "bbox_head.cls_convs.0.conv.weight";
            assertFalse(Arrays.equals(start.get(probe).bytes(), last.get(probe).bytes()), arm + " " + dirOf + ": " + probe + " never moved");
        }
        assertTrue(pretrained.containsKey("bbox_head.cls_convs.0.conv.weight"));
    }

    @Test
    void ablationsAreChosenByNameAtTheBudgetsCells(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("repro");
        assertEquals(0, Main.commandLine().execute("reproduce", "--budget", "test", "--seed", "3", "--out", out.toString(),
                "--cells", "0.5:short", "--folds", "1", "--arms", "baseline", "--ablations", "reg_only", "--threads", "1",
                "--workers", "1"));
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        List<String> arms = new java.util.ArrayList<>();
        report.path("runs").forEach(r -> arms.add(r.path("arm").asText() + "@" + r.path("fraction").asDouble()));
        assertEquals(List.of("aligndet_reg_only@0.5", "baseline@0.5"), arms.stream().sorted().toList());
        assertTrue(Files.exists(out.resolve("pretrain/reg_only/pretrained.pth")));
        assertFalse(Files.exists(out.resolve("pretrain/main")), "the main pre-training is not needed by these arms");
        assertEquals(3, report.path("ablations").size(), "one entry per metric");

        // runs can be added to a reproduction; its sizes cannot change
        Path reused = out.resolve("runs/baseline_f0.5_short_fold1/result.json");
        long before = Files.getLastModifiedTime(reused).toMillis();
        assertEquals(0, Main.commandLine().execute("reproduce", "--budget", "test", "--seed", "3", "--out", out.toString(),
                "--cells", "0.5:short", "--folds", "1", "--arms", "baseline", "--ablations", "reg_only,cls_only", "--threads", "1",
                "--workers", "1"));
        assertEquals(before, Files.getLastModifiedTime(reused).toMillis(), "a finished run is reused");
        assertTrue(Files.exists(out.resolve("pretrain/cls_only/pretrained.pth")));
        assertEquals(6, new ObjectMapper().readTree(out.resolve("report.json").toFile()).path("ablations").size());
        assertEquals(1, Main.commandLine().execute("reproduce", "--budget", "test", "--seed", "3", "--out", out.toString(),
                "--short-iters", "5", "--threads", "1", "--workers", "1"));

        assertEquals(1, Main.commandLine().execute("reproduce", "--budget", "test", "--out", dir.resolve("other").toString(),
                "--ablations", "everything"));
    }
}
