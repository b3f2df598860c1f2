package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.onnx.OnnxModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on the tiny RetinaNet, small enough for CI: synthetic data, proposals,
 * pre-training (a few iterations), fine-tuning from it and from the backbone, ONNX export, ONNX
 * Runtime evaluation and the cross-runtime check, all through {@code aligndet demo}.
 */
class DemoEndToEndTest {
    @Test
    void theWholePipelineRunsAndTheRuntimesAgree(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo");
        int code = Main.commandLine().execute("demo", "--out", out.toString(), "--images", "24", "--pretrain-iters", "4",
                "--finetune-iters", "12", "--device", "cpu");
        assertEquals(0, code);
        ObjectMapper json = new ObjectMapper();

        // proposals exist and pre-training wrote its detector, projector included
        assertTrue(json.readTree(out.resolve("proposals.json").toFile()).path("annotations").size() > 0);
        Object pre = TorchCheckpoint.read(out.resolve("pretrain/pretrained.pth"));
        assertTrue(((Map<?, ?>) pre).containsKey("projector"));

        // fine-tuning from it dropped the projector and said so
        String init = Files.readString(out.resolve("finetune-aligndet/init_report.json"));
        assertTrue(init.contains("projector"), init);

        // the exported model carries its provenance
        Map<String, String> meta = OnnxModel.load(out.resolve("export/aligndet.onnx")).metadata();
        assertEquals("retinanet_tiny", meta.get("aligndet.spec"));
        assertEquals("true", meta.get("aligndet.provenance.aligndet_pretrained"));

        // ONNX Runtime evaluation produced the 12 COCO stats for both runs
        for (String run : new String[] {"aligndet", "baseline"}) {
            JsonNode r = json.readTree(out.resolve("eval-" + run + "/report.json").toFile());
            assertEquals(12, r.path("stats").size(), run);
        }

        // and the cross-runtime check passed
        JsonNode check = json.readTree(out.resolve("check.json").toFile());
        assertTrue(check.path("passed").asBoolean(), "cross-runtime check failed: " + check.path("failures"));
    }
}
