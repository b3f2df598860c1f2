package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.run.MetricsLog;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny RetinaNet, fine-tuned from the committed image-domain backbone on 64 generated scenes,
 * reaches a clearly non-trivial AP50 on 16 held-out scenes. Measured: AP50 0.178 after 600
 * iterations (batch 4, lr 0.01; 0.249 before the FPN had GroupNorm); asserted with a 2x margin. About two minutes on 2 CPU cores.
 */
class RetinaNetFinetuneApTest {
    @Test
    void tinyRetinaNetReachesANonTrivialHeldOutAp50(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        SynthGenerator.generate(new SynthConfig(data, 80, 0, 0.2, 256, 0, 96, 2, false, false));
        Path out = dir.resolve("ft");
        Path backbone = ModelSpecs.locate().directory().resolve("weights/tiny_backbone_synth.pth");
        int code = Main.commandLine().execute("finetune", "--spec", "retinanet_tiny",
                "--train", data.resolve("annotations/instances_train.json").toString(), "--images", data.resolve("train").toString(),
                "--val", data.resolve("annotations/instances_val.json").toString(), "--val-images", data.resolve("val").toString(),
                "--backbone", backbone.toString(), "--recipe", "baseline", "--iters", "600", "--batch", "4", "--lr", "0.01",
                "--warmup-iters", "50", "--val-every", "600", "--device", "cpu", "--out", out.toString(), "--log-every", "100");
        assertEquals(0, code);
        List<Map<String, Double>> rows = MetricsLog.read(out.resolve("metrics.jsonl"));
        double ap50 = rows.stream().filter(r -> r.containsKey("bbox_mAP_50")).reduce((a, b) -> b).orElseThrow().get("bbox_mAP_50");
        assertTrue(ap50 > 0.09, "held-out AP50 after 600 iterations: " + ap50 + " (measured 0.178)");
    }
}
