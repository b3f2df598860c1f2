package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aligndet export --mmdet / --torchvision}: the files Python users load, and what a layout cannot hold, by name. */
class ExportLayoutsCommandTest {
    static final List<String> CLASSES = List.of("circle", "square", "triangle", "star", "cross", "ring", "diamond", "hexagon");

    /** The mmdetection 2.x fixture imported: a fine-tuning-layout checkpoint of retinanet_tiny with class names. */
    static Path imported(Path tmp) {
        Path ckpt = tmp.resolve("ft.pth");
        CliRun r = CliRun.main("import", "--from", ImportCommandTest.fixture("mmdet2_retinanet_tiny.pth").toString(),
                "--spec", "retinanet_tiny", "--out", ckpt.toString(), "--strict");
        assertEquals(0, r.code(), r.err());
        return ckpt;
    }

    @Test
    void writesMmdetectionAndTorchvisionFilesWithoutOnnxAndNamesWhatTorchvisionCannotHold(@TempDir Path tmp) throws Exception {
        Path ckpt = imported(tmp);
        Path mm = tmp.resolve("mm.pth");
        Path tv = tmp.resolve("tv.pth");
        CliRun r = CliRun.main("export", "--checkpoint", ckpt.toString(), "--mmdet", mm.toString(),
                "--torchvision", tv.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("mmdetection checkpoint -> " + mm), r.out());
        assertTrue(r.out().contains("torchvision state dict -> " + tv), r.out());
        assertTrue(r.out().contains("neck.lateral_convs.0.gn.weight: FPN norm"), r.out());
        assertTrue(r.out().contains("backbone.fpn.extra_blocks.p7.bias: the target model has it (neck.fpn_convs.4.conv.bias"), r.out());
        assertFalse(Files.exists(tmp.resolve("model.onnx")));

        Map<?, ?> root = (Map<?, ?>) TorchCheckpoint.read(mm);
        Map<?, ?> meta = (Map<?, ?>) root.get("meta");
        assertEquals(CLASSES, meta.get("CLASSES"));
        assertEquals(CLASSES, ((Map<?, ?>) meta.get("dataset_meta")).get("classes"));
        Map<?, ?> provenance = (Map<?, ?>) meta.get("aligndet");
        assertEquals("retinanet_tiny", provenance.get("spec"));
        assertEquals("import", provenance.get("stage"));
        Map<String, HostTensor> ours = TorchCheckpoint.readStateDict(ckpt);
        Map<String, HostTensor> sd = TorchCheckpoint.readStateDict(mm);
        ours.forEach((k, t) -> assertEquals(t, sd.get(k), k));
        long bns = ours.keySet().stream().filter(k -> k.endsWith(".running_var")).count();
        assertEquals(ours.size() + bns, sd.size(), "plus one num_batches_tracked per backbone BN");
        assertTrue(sd.containsKey("backbone.layer4.0.downsample.1.num_batches_tracked"));

        Map<?, ?> model = (Map<?, ?>) ((Map<?, ?>) TorchCheckpoint.read(tv)).get("model");
        assertEquals(ours.get("backbone.layer2.0.conv1.weight"), model.get("backbone.body.layer2.0.conv1.weight"));
        assertFalse(model.containsKey("bbox_head.retina_cls.weight"));
        assertTrue(model.containsKey("head.classification_head.cls_logits.weight"));

        // and back: the mmdetection file imports strictly to the same 104 tensors
        CliRun back = CliRun.main("import", "--from", mm.toString(), "--spec", "retinanet_tiny",
                "--out", tmp.resolve("back.pth").toString(), "--strict");
        assertEquals(0, back.code(), back.err());
        assertTrue(back.out().contains("104 loaded, 0 missing, 0 unexpected, 0 shape mismatches"), back.out());
        assertEquals(ours, TorchCheckpoint.readStateDict(tmp.resolve("back.pth")));
    }

    @Test
    void nothingToWriteAndDeployFilesWithoutOnnxAreUsageErrors(@TempDir Path tmp) {
        Path ckpt = imported(tmp);
        CliRun none = CliRun.main("export", "--checkpoint", ckpt.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("nothing to write: give --out, --mmdet or --torchvision"), none.err());
        CliRun deploy = CliRun.main("export", "--checkpoint", ckpt.toString(), "--mmdet", tmp.resolve("m.pth").toString(),
                "--deploy-files");
        assertEquals(2, deploy.code());
        assertTrue(deploy.err().contains("--deploy-files describes the ONNX model: it needs --out"), deploy.err());
        assertFalse(Files.exists(tmp.resolve("m.pth")));
    }

    @Test
    void classNamesOfTheWrongCountNameTheCheckpoint(@TempDir Path tmp) {
        Path ckpt = imported(tmp);
        Path mm = tmp.resolve("m.pth");
        CliRun r = CliRun.main("export", "--checkpoint", ckpt.toString(), "--mmdet", mm.toString(), "--classes", "a,b");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(ckpt + ": 2 class names [a, b] for spec retinanet_tiny, which has num_classes 8"), r.err());
        assertFalse(Files.exists(mm));
    }
}
