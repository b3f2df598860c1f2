package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    static CliRun run(String... args) {
        return CliRun.main(args);
    }

    static Path repo(String rel) {
        Path d = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(d.resolve("model-specs"))) {
            d = d.getParent();
        }
        return d.resolve(rel);
    }

    @Test
    void helpListsTheCommands() {
        CliRun r = run("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"info", "inspect"}) {
            assertTrue(r.out().contains(c), "--help does not list " + c + ":\n" + r.out());
        }
    }

    @Test
    void infoNamesDeviceProvidersAndSpecs() {
        CliRun r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("device    cpu"), r.out());
        assertTrue(r.out().contains("providers that load: CPU"), r.out());
        assertTrue(r.out().contains("retinanet_tiny") && r.out().contains("graphs ready"), r.out());
        for (String twoStage : new String[] {"faster_rcnn_tiny faster_rcnn 8 classes graphs ready",
                "mask_rcnn_tiny mask_rcnn 8 classes graphs ready", "faster_rcnn_r50_fpn faster_rcnn 80 classes",
                "mask_rcnn_r50_fpn mask_rcnn 80 classes"}) {
            assertTrue(r.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")).anyMatch(l -> l.startsWith(twoStage)),
                    "info lacks '" + twoStage + "':\n" + r.out());
        }
        assertTrue(r.out().contains("PyTorch engine 2.1.1"), r.out());
    }

    @Test
    void inspectsCheckpointTorchScriptAndOnnx() throws Exception {
        CliRun ckpt = run("inspect", repo("model-specs/fixtures/checkpoints/state_dict.pth").toString());
        assertEquals(0, ckpt.code(), ckpt.err());
        assertTrue(ckpt.out().contains("state_dict.backbone.conv1.weight") && ckpt.out().contains("[4, 3, 3, 3]"), ckpt.out());
        assertTrue(ckpt.out().contains("num_batches_tracked") && ckpt.out().contains("int64"), ckpt.out());

        CliRun ts = run("inspect", "--json", repo("model-specs/graphs/retinanet_tiny.ts").toString());
        assertEquals(0, ts.code(), ts.err());
        JsonNode j = new ObjectMapper().readTree(ts.out());
        assertEquals("torchscript", j.path("kind").asText());
        assertEquals(104, j.path("tensors").size());
        assertEquals("bbox_head.retina_reg.bias", j.path("tensors").get(103).path("name").asText());
        assertTrue(j.path("methods").toString().contains("head_forward"));

        CliRun onnx = run("inspect", repo("model-specs/graphs/fcos_tiny.onnx").toString());
        assertEquals(0, onnx.code(), onnx.err());
        assertTrue(onnx.out().contains("images float32 [N,3,H,W]") && onnx.out().contains("dets float32 [N,100,5]"), onnx.out());
        assertTrue(onnx.out().contains("bbox_head.conv_centerness.weight"), onnx.out());
    }

    @Test
    void badInputIsOneLineWithoutStackTrace(@TempDir Path dir) throws Exception {
        CliRun missing = run("inspect", dir.resolve("nope.pth").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("aligndet: error: ") && missing.err().contains("nope.pth") && missing.err().contains("no such file"), missing.err());
        assertFalse(missing.err().contains("\tat "), "stack trace printed without --verbose:\n" + missing.err());

        Path junk = dir.resolve("junk.onnx");
        Files.writeString(junk, "definitely not a model");
        CliRun bad = run("inspect", junk.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("junk.onnx"), bad.err());

        CliRun evil = run("inspect", repo("model-specs/fixtures/checkpoints/evil_reduce.pth").toString());
        assertEquals(1, evil.code());
        assertTrue(evil.err().contains("refused global"), evil.err());

        CliRun verbose = run("--verbose", "inspect", dir.resolve("nope.pth").toString());
        assertTrue(verbose.err().contains("\tat "), "--verbose should print the stack trace:\n" + verbose.err());
    }

    @Test
    void aDirectoryWhereAFileBelongsIsNamedAsOne(@TempDir Path dir) {
        String[][] commands = {
            {"inspect", dir.toString()},
            {"export", "--checkpoint", dir.toString(), "--spec", "retinanet_tiny", "--out", dir.resolve("m.onnx").toString()},
            {"predict", "--model", dir.toString(), "--images", dir.toString(), "--out", dir.resolve("p").toString()},
            {"proposals", "--coco", dir.toString(), "--out", dir.resolve("ss.json").toString()},
        };
        for (String[] c : commands) {
            CliRun r = run(c);
            assertEquals(1, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().startsWith("aligndet: error: " + dir + ": ") && r.err().contains("is a directory"), String.join(" ", c) + ": " + r.err());
        }
    }

    @Test
    void hostileCheckpointsAreNamedByTheirFullPath() {
        Path evil = repo("model-specs/fixtures/checkpoints/evil_reduce.pth");
        CliRun r = run("inspect", evil.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("aligndet: error: " + evil + ": refused global 'posix.system'"), r.err());
    }

    @Test
    void fileSystemErrorsNameThePathAndWhatHappened(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        CliRun r = run("synth", "--out", file.toString(), "--images", "1", "--no-progress");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("aligndet: error: " + file + ": already exists"), r.err());
        assertEquals(dir + ": no such file or directory",
                Main.message(new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException(dir.toString()))));
    }
}
