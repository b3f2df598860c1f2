package org.aligndet.export.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OnnxSession;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.TorchGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export of the tiny RetinaNet: metadata, the weight checks, and that the filled weights are the ones that run. */
class OnnxExporterTest {
    static OnnxExporter exporter;
    static Map<String, HostTensor> perturbed;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        exporter = OnnxExporter.forSpec(TinyCheckpoints.specs(), TinyCheckpoints.SPEC);
        perturbed = TinyCheckpoints.perturbedWeights();
    }

    private TrainedCheckpoint checkpoint(Map<String, HostTensor> sd) throws Exception {
        Path f = dir.resolve("ckpt.pth");
        TorchCheckpoint.write(f, TinyCheckpoints.root(sd));
        return TrainedCheckpoint.read(f);
    }

    @Test
    void metadataRoundTripsThroughTheSavedFile() throws Exception {
        TrainedCheckpoint ckpt = checkpoint(perturbed);
        Path out = dir.resolve("model.onnx");
        exporter.exportTo(ckpt, null, out);
        ExportMetadata back = ExportMetadata.fromProps(OnnxModel.load(out).metadata(), out.toString());
        assertEquals(exporter.metadata(ckpt, null), back);
        assertEquals(TinyCheckpoints.CLASSES, back.classes());
        assertEquals("retinanet_tiny", back.spec());
        assertEquals(TrainedCheckpoint.sha256(ckpt.file()), back.checkpointSha256());
        assertEquals(64, back.checkpointSha256().length());
        assertEquals(new ExportMetadata.Provenance(true, "finetune", "finetune lr=0.0075 wd=5e-05 from AlignDet pre-training", 1234L),
                back.provenance());
        assertArrayEquals(new float[] {123.675f, 116.28f, 103.53f}, back.preprocess().mean());
        assertArrayEquals(new float[] {58.395f, 57.12f, 57.375f}, back.preprocess().std());
        assertEquals(320, back.preprocess().longSide());
        assertEquals(256, back.preprocess().shortSide());
        assertEquals(32, back.preprocess().padDivisor());
        Map<String, String> props = OnnxModel.load(out).metadata();
        assertEquals("RGB", props.get("aligndet.preprocess.color"));
        assertEquals("[\"" + String.join("\",\"", TinyCheckpoints.CLASSES) + "\"]", props.get("aligndet.classes"));
    }

    @Test
    void explicitClassesOverrideTheCheckpointsAndMustMatchTheSpec() throws Exception {
        TrainedCheckpoint ckpt = checkpoint(perturbed);
        List<String> eight = List.of("a", "b", "c", "d", "e", "f", "g", "h");
        assertEquals(eight, exporter.metadata(ckpt, eight).classes());
        ExportException e = assertThrows(ExportException.class, () -> exporter.export(ckpt, List.of("a", "b")));
        assertTrue(e.getMessage().contains("num_classes 8"), e.getMessage());
    }

    @Test
    void missingTensorsFailWithTheirNamesListed() throws Exception {
        Map<String, HostTensor> sd = new LinkedHashMap<>(perturbed);
        sd.remove("neck.fpn_convs.1.conv.weight");
        sd.remove("backbone.bn1.running_var");
        TrainedCheckpoint ckpt = checkpoint(sd);
        Path out = dir.resolve("never.onnx");
        ExportException e = assertThrows(ExportException.class, () -> exporter.exportTo(ckpt, null, out));
        assertTrue(e.getMessage().contains("missing from the checkpoint (2)"), e.getMessage());
        assertTrue(e.getMessage().contains("neck.fpn_convs.1.conv.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("backbone.bn1.running_var"), e.getMessage());
        assertTrue(e.getMessage().startsWith(ckpt.file().toString()), e.getMessage());
        assertFalse(Files.exists(out), "nothing is written on failure");
    }

    @Test
    void wrongShapesAndUnexpectedTensorsFailWithTheirNamesListed() throws Exception {
        Map<String, HostTensor> sd = new LinkedHashMap<>(perturbed);
        sd.put("bbox_head.retina_cls.weight", HostTensor.ofFloats(new long[] {80, 64, 3, 3}, new float[80 * 64 * 9]));
        sd.put("bbox_head.extra_conv.weight", HostTensor.ofFloats(new long[] {2}, 1f, 2f));
        ExportException e = assertThrows(ExportException.class, () -> exporter.export(checkpoint(sd), null));
        assertTrue(e.getMessage().contains("bbox_head.retina_cls.weight: checkpoint float32[80, 64, 3, 3], graph float32[72, 64, 3, 3]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("in the checkpoint but not in the graph (1):\n    bbox_head.extra_conv.weight"), e.getMessage());
    }

    @Test
    void toleratedExtrasAreLeftOut() throws Exception {
        Map<String, HostTensor> sd = new LinkedHashMap<>(perturbed);
        sd.put("backbone.bn1.num_batches_tracked", HostTensor.ofLongs(new long[0], 7L));
        sd.put("projector.0.weight", HostTensor.ofFloats(new long[] {1}, 1f));
        sd.put("ema_backbone_conv1_weight", HostTensor.ofFloats(new long[] {1}, 1f));
        OnnxModel m = exporter.export(checkpoint(sd), null);
        assertFalse(m.hasInitializer("projector.0.weight"));
        assertTrue(WeightCheck.tolerated("bbox_head.projector.fc.weight"));
        assertFalse(WeightCheck.tolerated("bbox_head.retina_cls.weight"));
    }

    @Test
    void float16CheckpointsAreWidened() throws Exception {
        Map<String, HostTensor> sd = new LinkedHashMap<>(perturbed);
        HostTensor w = sd.get("bbox_head.retina_reg.bias");
        float[] v = w.toFloats();
        byte[] half = new byte[v.length * 2];
        for (int i = 0; i < v.length; i++) {
            short h = org.aligndet.bridge.tensor.Half.fromFloat(v[i]);
            half[2 * i] = (byte) h;
            half[2 * i + 1] = (byte) (h >> 8);
        }
        sd.put("bbox_head.retina_reg.bias", new HostTensor(org.aligndet.bridge.tensor.DType.FLOAT16, w.shape(), half));
        OnnxModel m = exporter.export(checkpoint(sd), null);
        assertArrayEquals(v, m.initializer("bbox_head.retina_reg.bias").toFloats(), 1e-3f);
    }

    @Test
    void theFilledWeightsAreTheOnesThatRun() throws Exception {
        OnnxModel exported = exporter.export(checkpoint(perturbed), null);
        OnnxModel same = exporter.export(checkpoint(TinyCheckpoints.templateWeights()), null);
        HostTensor x = pattern(64, 96);
        Map<String, HostTensor> template = run(OnnxModel.load(TinyCheckpoints.specs().onnxTemplate("retinanet_tiny")), x);
        Map<String, HostTensor> changed = run(exported, x);
        Map<String, HostTensor> unchanged = run(same, x);
        for (String out : List.of("cls_score_0", "bbox_pred_2")) {
            assertArrayEquals(template.get(out).toFloats(), unchanged.get(out).toFloats(), 0f, out);
            double d = maxAbs(template.get(out).toFloats(), changed.get(out).toFloats());
            assertTrue(d > 1e-2, out + " should change with the weights, max difference " + d);
        }
        assertEquals(perturbed.get("neck.lateral_convs.0.conv.weight"), exported.initializer("neck.lateral_convs.0.conv.weight"));
    }

    @Test
    void torchScriptExportCarriesTheWeights() throws Exception {
        Path ts = dir.resolve("model.ts");
        exporter.exportTorchScript(checkpoint(perturbed), ts);
        try (TorchGraph g = TorchGraph.load(ts, Device.cpu())) {
            Map<String, HostTensor> sd = g.stateDict();
            assertEquals(perturbed.keySet(), sd.keySet());
            for (String k : perturbed.keySet()) {
                assertEquals(perturbed.get(k), sd.get(k), k);
            }
        }
    }

    /** The Python check (export_check.txt) was made on the committed file: it must still be what export writes. */
    @Test
    void committedExportFixtureIsWhatTheExporterWritesNow() throws Exception {
        Path ckpt = TinyCheckpoints.writePerturbed(dir.resolve("retinanet_tiny_finetune.pth"));
        Path out = dir.resolve("model.onnx");
        exporter.exportTo(TrainedCheckpoint.read(ckpt), null, out);
        Path committed = TinyCheckpoints.specs().directory().resolve("fixtures/export/retinanet_tiny.onnx");
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(committed), Files.readAllBytes(out)),
                committed + " is stale: rerun WriteExportFixture and model-specs/generator/export_check.py");
        assertTrue(Files.readString(committed.resolveSibling("export_check.txt")).contains("RESULT: PASS"));
    }

    static Map<String, HostTensor> run(OnnxModel m, HostTensor x) {
        try (OnnxSession s = OrtSessions.open(m.toBytes(), m.source(), OrtSessions.CPU)) {
            return s.run(Map.of("images", x));
        }
    }

    /** A 0-255 RGB pattern [1, 3, h, w]. */
    static HostTensor pattern(int h, int w) {
        float[] v = new float[3 * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 37 + (i / w) * 11) % 256;
        }
        return HostTensor.ofFloats(new long[] {1, 3, h, w}, v);
    }

    static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
