package org.aligndet.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Export then import gives back every tensor bit for bit: both directions' tables are each other's inverse. What a layout cannot hold is reported by name, and is exactly what does not come back.
 */
class WeightExporterRoundTripTest {
    static final ModelSpecs SPECS = ModelSpecs.locate();

    /** Seeded random float tensors for every name of a spec layout (distinct per channel, so a permutation shows). */
    static Map<String, HostTensor> random(Map<String, long[]> layout, long seed) {
        Random r = new Random(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        layout.forEach((k, shape) -> {
            float[] v = new float[(int) HostTensor.numel(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            out.put(k, HostTensor.ofFloats(shape, v));
        });
        return out;
    }

    /** Exports, writes, reads back with {@code import}'s auto detection: the imported tensors by our name. */
    static Map<String, HostTensor> roundTrip(WeightExporter.Exported e, ModelSpec spec, Path tmp, ImportReport[] report)
            throws Exception {
        Path f = tmp.resolve(e.target().cliName() + ".pth");
        TorchCheckpoint.write(f, e.target() == WeightExporter.Target.MMDET
                ? WeightExporter.mmdetCheckpoint(e, List.of("a", "b"), Map.of("spec", spec.name()))
                : WeightExporter.torchvisionCheckpoint(e, Map.of("spec", spec.name())));
        WeightImporter.Mapped m = WeightImporter.map(f, WeightFormat.AUTO, false);
        assertEquals(e.target().cliName(), m.format().cliName(), "import detects the exported layout");
        report[0] = WeightImporter.compare(m, spec.name(), WeightImporter.layouts(SPECS, spec.name()));
        return m.tensors();
    }

    @ParameterizedTest
    @CsvSource({"retinanet_tiny,finetune", "retinanet_tiny,pretrain", "fcos_tiny,finetune", "fcos_tiny,pretrain"})
    void mmdetRoundTripsEveryTensorBitForBit(String specName, String layoutName, @TempDir Path tmp) throws Exception {
        ModelSpec spec = SPECS.load(specName);
        var layouts = WeightImporter.layouts(SPECS, specName);
        Map<String, HostTensor> ours = random(layouts.get(layoutName), 13);
        WeightExporter.Exported e = WeightExporter.export(ours, WeightExporter.Target.MMDET, spec, layouts);
        assertTrue(e.complete(), e.summary() + " " + e.notExpressible() + " " + e.missing());
        long bns = ours.keySet().stream().filter(k -> k.endsWith(".running_var")).count();
        assertTrue(bns > 0);
        assertEquals(ours.size() + bns, e.tensors().size(), "one batch counter per BN");
        assertEquals(DType.INT64, e.tensors().get("backbone.bn1.num_batches_tracked").dtype());
        ImportReport[] r = new ImportReport[1];
        Map<String, HostTensor> back = roundTrip(e, spec, tmp, r);
        assertTrue(r[0].clean(), r[0].summary());
        assertEquals(layoutName, r[0].layout());
        assertEquals(new ArrayList<>(ours.keySet()), r[0].loaded());
        assertEquals(bns, r[0].dropped().keySet().stream().filter(k -> k.endsWith("num_batches_tracked")).count());
        ours.forEach((k, t) -> assertEquals(t, back.get(k), k));
    }

    @Test
    void torchvisionRetinaNetRoundTripsThePretrainLayoutBitForBit(@TempDir Path tmp) throws Exception {
        ModelSpec spec = SPECS.load("retinanet_tiny");
        var layouts = WeightImporter.layouts(SPECS, "retinanet_tiny");
        Map<String, HostTensor> ours = random(layouts.get("pretrain"), 17);
        WeightExporter.Exported e = WeightExporter.export(ours, WeightExporter.Target.TORCHVISION, spec, layouts);
        assertTrue(e.complete(), e.summary() + " " + e.notExpressible() + " " + e.missing());
        assertEquals("bbox_head.retina_cls.weight", e.sourceOf().get("head.classification_head.cls_logits.weight"));
        assertEquals("neck.fpn_convs.3.conv.bias", e.sourceOf().get("backbone.fpn.extra_blocks.p6.bias"));
        assertEquals("neck.lateral_convs.1.conv.weight", e.sourceOf().get("backbone.fpn.inner_blocks.1.0.weight"));
        // the anchors keep their order (ratio-major in both libraries): the final layers are copied as they are
        assertEquals(ours.get("bbox_head.retina_reg.bias"), e.tensors().get("head.regression_head.bbox_reg.bias"));
        assertEquals(ours.get("bbox_head.retina_cls.weight"), e.tensors().get("head.classification_head.cls_logits.weight"));
        ImportReport[] r = new ImportReport[1];
        Map<String, HostTensor> back = roundTrip(e, spec, tmp, r);
        assertTrue(r[0].clean(), r[0].summary());
        assertEquals(new ArrayList<>(ours.keySet()), r[0].loaded());
        ours.forEach((k, t) -> assertEquals(t, back.get(k), k));
    }

    @Test
    void torchvisionExportOfTheTorchvisionFixtureGivesBackThatFile() throws Exception {
        // written by real torchvision-layout torch.save (import_fixtures.py): import, then export, reproduces it
        Path fixture = SPECS.directory().resolve("fixtures/import/torchvision_retinanet_tiny.pth");
        ModelSpec spec = SPECS.load("retinanet_tiny");
        var layouts = WeightImporter.layouts(SPECS, "retinanet_tiny");
        WeightImporter.Mapped m = WeightImporter.map(fixture, WeightFormat.TORCHVISION, false);
        WeightExporter.Exported e = WeightExporter.export(m.tensors(), WeightExporter.Target.TORCHVISION, spec, layouts);
        assertTrue(e.complete(), e.summary());
        Map<?, ?> original = (Map<?, ?>) ((Map<?, ?>) TorchCheckpoint.readForImport(fixture).root()).get("model");
        Map<String, HostTensor> written = new LinkedHashMap<>(e.tensors());
        written.keySet().removeIf(k -> k.endsWith("num_batches_tracked"));
        assertEquals(new ArrayList<>(original.keySet()), new ArrayList<>(written.keySet()), "names and their order");
        original.forEach((k, t) -> assertEquals(t, written.get(k), String.valueOf(k)));
    }

    @Test
    void torchvisionRetinaNetNamesWhatTheFinetuneLayoutCannotExpress(@TempDir Path tmp) throws Exception {
        ModelSpec spec = SPECS.load("retinanet_tiny");
        var layouts = WeightImporter.layouts(SPECS, "retinanet_tiny");
        Map<String, HostTensor> ours = random(layouts.get("finetune"), 19);
        WeightExporter.Exported e = WeightExporter.export(ours, WeightExporter.Target.TORCHVISION, spec, layouts);
        List<String> gn = ours.keySet().stream().filter(k -> k.startsWith("neck.") && k.contains(".gn.")).toList();
        assertEquals(16, gn.size());
        assertEquals(gn, new ArrayList<>(e.notExpressible().keySet()));
        assertTrue(e.notExpressible().get("neck.fpn_convs.4.gn.weight").startsWith("FPN norm"), e.notExpressible().toString());
        assertEquals(List.of("backbone.fpn.inner_blocks.0.0.bias", "backbone.fpn.inner_blocks.1.0.bias",
                "backbone.fpn.inner_blocks.2.0.bias", "backbone.fpn.layer_blocks.0.0.bias", "backbone.fpn.layer_blocks.1.0.bias",
                "backbone.fpn.layer_blocks.2.0.bias", "backbone.fpn.extra_blocks.p6.bias", "backbone.fpn.extra_blocks.p7.bias"),
                new ArrayList<>(e.missing().keySet()));
        assertFalse(e.complete());
        ImportReport[] r = new ImportReport[1];
        Map<String, HostTensor> back = roundTrip(e, spec, tmp, r);
        assertEquals(gn, r[0].missing(), "exactly what could not be expressed does not come back");
        ours.forEach((k, t) -> assertEquals(gn.contains(k) ? null : t, back.get(k), k));
    }

    @ParameterizedTest
    @CsvSource({"pretrain,5", "finetune,21"})
    void torchvisionFcosRoundTripsAllButTheScales(String layoutName, int notExpressible, @TempDir Path tmp) throws Exception {
        ModelSpec spec = SPECS.load("fcos_tiny");
        var layouts = WeightImporter.layouts(SPECS, "fcos_tiny");
        Map<String, HostTensor> ours = random(layouts.get(layoutName), 23);
        WeightExporter.Exported e = WeightExporter.export(ours, WeightExporter.Target.TORCHVISION, spec, layouts);
        assertEquals(notExpressible, e.notExpressible().size(), e.notExpressible().toString());
        for (int i = 0; i < 5; i++) {
            assertTrue(e.notExpressible().get("bbox_head.scales." + i + ".scale").contains("FCOSHead has none"));
        }
        assertEquals("bbox_head.cls_convs.2.gn.bias", e.sourceOf().get("head.classification_head.conv.7.bias"));
        assertEquals("bbox_head.reg_convs.3.conv.weight", e.sourceOf().get("head.regression_head.conv.9.weight"));
        assertEquals(1, e.lacks().size());
        assertTrue(e.lacks().values().iterator().next().startsWith("conv bias before GroupNorm"));
        ImportReport[] r = new ImportReport[1];
        Map<String, HostTensor> back = roundTrip(e, spec, tmp, r);
        assertTrue(r[0].unexpected().isEmpty(), r[0].unexpected().toString());
        List<String> lost = new ArrayList<>(e.notExpressible().keySet());
        ours.forEach((k, t) -> assertEquals(lost.contains(k) ? null : t, back.get(k), k));
        assertEquals(ours.size() - lost.size(), back.size());
    }

    @Test
    void aMultiplyingReplacementNamesTheTorchvisionFcosTriples() {
        KeyMap k = KeyMap.load("export-torchvision-fcos");
        assertEquals("head.regression_head.conv.10.weight", k.apply("bbox_head.reg_convs.3.gn.weight", false).target());
        assertEquals("head.classification_head.conv.0.weight", k.apply("bbox_head.cls_convs.0.conv.weight", false).target());
        assertEquals("pretrain", k.layout());
        assertTrue(k.batchCounters());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> WeightExporter.export(Map.of(), WeightExporter.Target.TORCHVISION, SPECS.load("fcos_tiny"), Map.of()));
        assertEquals("export table export-torchvision-fcos needs the spec's pretrain layout, which its manifest does not list",
                ex.getMessage());
    }
}
