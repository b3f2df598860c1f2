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
 * The whole pipeline on the tiny RetinaNet, small enough for CI: the protocol at test size (synthetic
 * data, proposals, pre-training, fine-tuning from it and from the backbone), ONNX export, ONNX Runtime
 * evaluation and the cross-runtime check, all through {@code aligndet demo}.
 */
class DemoEndToEndTest {
    @Test
    void theWholePipelineRunsAndTheRuntimesAgree(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo");
        int code = Main.commandLine().execute("demo", "--out", out.toString(), "--budget", "test", "--threads", "1");
        assertEquals(0, code);
        ObjectMapper json = new ObjectMapper();

        // proposals exist and pre-training wrote its detector, projector included
        Path repro = out.resolve("reproduce");
        assertTrue(json.readTree(repro.resolve("proposals.json").toFile()).path("annotations").size() > 0);
        Object pre = TorchCheckpoint.read(repro.resolve("pretrain/main/pretrained.pth"));
        assertTrue(((Map<?, ?>) pre).containsKey("projector"));

        // fine-tuning from it dropped the projector and said so
        String init = Files.readString(repro.resolve("runs/aligndet_f0.5_short_fold1/init_report.json"));
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
