package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aligndet import}: the detected format and the report printed, the checkpoint written, --strict. */
class ImportCommandTest {
    static Path fixture(String name) {
        return CliTest.repo("model-specs/fixtures/import/" + name);
    }

    @Test
    void importsAnMmdetection3CheckpointAndReportsItsPlaceholders(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("r.pth");
        CliRun r = CliRun.main("import", "--from", fixture("mmdet3_retinanet_tiny.pth").toString(),
                "--spec", "retinanet_tiny", "--out", out.toString(), "--strict");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("detected format mmdet"), r.out());
        assertTrue(r.out().contains("mmdetection 3.x (mmengine)"), r.out());
        assertTrue(r.out().contains("104 loaded, 0 missing, 0 unexpected, 0 shape mismatches"), r.out());
        assertTrue(r.out().contains("message_hub.log_scalars['train/loss']: mmengine.logging.history_buffer.HistoryBuffer"), r.out());
        Map<?, ?> meta = (Map<?, ?>) ((Map<?, ?>) TorchCheckpoint.read(out)).get("meta");
        assertEquals("mmdet", meta.get("source_format"));
        assertEquals(104, TorchCheckpoint.readStateDict(out).size());
    }

    @Test
    void strictRefusesWhatCannotMapAndWritesNothing(@TempDir Path tmp) {
        Path out = tmp.resolve("f.pth");
        CliRun r = CliRun.main("import", "--from", fixture("torchvision_fcos_tiny.pth").toString(),
                "--spec", "fcos_tiny", "--out", out.toString(), "--strict");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("5 missing: [bbox_head.scales.0.scale"), r.err());
        assertTrue(r.err().contains("8 unexpected: [head.classification_head.conv.0.bias"), r.err());
        assertTrue(r.out().contains("conv bias before GroupNorm"), r.out());
        assertFalse(Files.exists(out));

        CliRun lenient = CliRun.main("import", "--from", fixture("torchvision_fcos_tiny.pth").toString(),
                "--spec", "fcos_tiny", "--out", out.toString());
        assertEquals(0, lenient.code(), lenient.err());
        assertTrue(Files.exists(out));
    }

    @Test
    void strictNamesTheMisShapedKeyAndBothShapes(@TempDir Path tmp) throws Exception {
        Map<String, HostTensor> sd = new LinkedHashMap<>(TorchCheckpoint.readStateDict(fixture("torchvision_resnet_tiny.pth")));
        sd.put("layer2.0.conv1.weight", HostTensor.ofFloats(new long[] {32, 16, 1, 1}, new float[32 * 16]));
        Path bad = tmp.resolve("bad.pth");
        TorchCheckpoint.write(bad, sd);
        CliRun r = CliRun.main("import", "--from", bad.toString(), "--format", "torchvision", "--spec", "retinanet_tiny",
                "--out", tmp.resolve("o.pth").toString(), "--strict");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("aligndet: error: " + bad + ": --strict: 1 shape mismatch(es): "
                + "backbone.layer2.0.conv1.weight (from layer2.0.conv1.weight): checkpoint [32, 16, 1, 1], spec [32, 16, 3, 3]"), r.err());
    }

    @Test
    void anUnknownFormatIsAUsageError(@TempDir Path tmp) {
        CliRun r = CliRun.main("import", "--from", fixture("moco_v2_tiny.pth").toString(), "--format", "caffe",
                "--spec", "retinanet_tiny", "--out", tmp.resolve("o.pth").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown checkpoint format 'caffe'"), r.err());
    }
}
