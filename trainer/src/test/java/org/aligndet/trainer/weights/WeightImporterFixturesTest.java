package org.aligndet.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The foreign checkpoints written by real torch.save ({@code model-specs/generator/import_fixtures.py}) import
 * into the tiny specs: the format detected, nothing missing or unexpected beyond what the fixture's
 * {@code expected.json} names, and the imported tensors equal to the values recorded there.
 */
class WeightImporterFixturesTest {
    static final ModelSpecs SPECS = ModelSpecs.locate();
    static final Path DIR = SPECS.directory().resolve("fixtures/import");

    static JsonNode expected(String file) throws Exception {
        JsonNode e = new ObjectMapper().readTree(DIR.resolve("expected.json").toFile()).get(file);
        assertTrue(e != null, "expected.json has no entry for " + file);
        return e;
    }

    static ImportReport importAuto(String file, boolean momentum, Map<String, HostTensor> out) throws Exception {
        JsonNode e = expected(file);
        String spec = e.get("spec").asText();
        WeightImporter.Mapped m = WeightImporter.map(DIR.resolve(file), WeightFormat.AUTO, momentum);
        ImportReport r = WeightImporter.compare(m, spec, WeightImporter.layouts(SPECS, spec));
        r.loaded().forEach(k -> out.put(k, m.tensors().get(k)));
        return r;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    static void assertValues(JsonNode checks, Map<String, HostTensor> got) {
        assertTrue(checks.size() >= 2, "the fixture records values to compare");
        checks.fields().forEachRemaining(c -> {
            HostTensor t = got.get(c.getKey());
            assertTrue(t != null, c.getKey() + " was not imported");
            long[] shape = new long[c.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = c.getValue().get("shape").get(i).asLong();
            }
            assertArrayEquals(shape, t.shape(), c.getKey());
            float[] v = t.toFloats();
            double sum = 0;
            for (float x : v) {
                sum += x;
            }
            double want = c.getValue().get("sum").asDouble();
            assertEquals(want, sum, 1e-9 * Math.max(1, v.length) + 1e-9 * Math.abs(want), c.getKey() + " sum");
            JsonNode first = c.getValue().get("first");
            for (int i = 0; i < first.size(); i++) {
                assertEquals(first.get(i).asDouble(), v[i], 0.0, c.getKey() + "[" + i + "]");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"mmdet2_retinanet_tiny.pth", "mmdet3_retinanet_tiny.pth", "torchvision_retinanet_tiny.pth",
        "torchvision_resnet_tiny.pth", "aligndet_retinanet_tiny.pth", "moco_v2_tiny.pth", "torchvision_fcos_tiny.pth",
        "mmdet2_faster_rcnn_tiny.pth", "torchvision_faster_rcnn_tiny.pth"})
    void importsWithEveryNameAccountedForAndTheRecordedValues(String file) throws Exception {
        JsonNode e = expected(file);
        Map<String, HostTensor> got = new LinkedHashMap<>();
        ImportReport r = importAuto(file, false, got);
        assertEquals(e.get("format").asText(), r.format());
        assertTrue(r.guessed());
        assertEquals(e.get("layout").asText(), r.layout());
        assertEquals(e.get("loaded").asInt(), r.loaded().size(), r.summary());
        assertEquals(texts(e.get("missing")), r.missing(), "missing");
        assertEquals(texts(e.get("unexpected")), new ArrayList<>(r.unexpected().keySet()), "unexpected");
        assertTrue(r.mismatched().isEmpty(), r.mismatched().toString());
        for (String d : texts(e.get("dropped"))) {
            assertTrue(r.dropped().containsKey(d), d + " should be dropped: " + r.dropped());
        }
        if (e.has("dropped_count")) {
            assertEquals(e.get("dropped_count").asInt(), r.dropped().size());
        }
        Map<String, String> placeholders = new LinkedHashMap<>();
        e.get("placeholders").fields().forEachRemaining(p -> placeholders.put(p.getKey(), p.getValue().asText()));
        assertEquals(placeholders, r.placeholders());
        if (e.path("backbone_only").asBoolean()) {
            assertFalse(r.absent().isEmpty());
            assertTrue(r.absent().keySet().stream().noneMatch(k -> k.startsWith("backbone.")), r.absent().toString());
            assertTrue(r.loaded().stream().allMatch(k -> k.startsWith("backbone.")));
        } else {
            assertEquals(texts(e.get("absent")), new ArrayList<>(r.absent().keySet()));
        }
        assertEquals(!e.has("missing") && !e.has("unexpected"), r.clean());
        assertValues(e.get("checks"), got);
    }

    @Test
    void alignDetMomentumCopyImportsByFlag() throws Exception {
        Map<String, HostTensor> got = new LinkedHashMap<>();
        ImportReport r = importAuto("aligndet_retinanet_tiny.pth", true, got);
        assertTrue(r.clean(), r.summary());
        assertTrue(r.dropped().keySet().stream().anyMatch(k -> k.startsWith("online_backbone.")));
        assertTrue(r.dropped().keySet().stream().noneMatch(k -> k.startsWith("target_backbone.backbone.")));
        assertValues(expected("aligndet_retinanet_tiny.pth").get("momentum_checks"), got);
    }

    @Test
    void explicitFormatThatDoesNotFitLeavesEverythingUnexpected() throws Exception {
        WeightImporter.Mapped m = WeightImporter.map(DIR.resolve("moco_v2_tiny.pth"), WeightFormat.MMDET, false);
        assertFalse(m.guessed());
        assertTrue(m.tensors().isEmpty());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> WeightImporter.compare(m, "retinanet_tiny", WeightImporter.layouts(SPECS, "retinanet_tiny")));
        assertTrue(ex.getMessage().startsWith(DIR.resolve("moco_v2_tiny.pth") + ": none of its 0 mapped tensors"), ex.getMessage());
    }

    @Test
    void misShapedTensorIsReportedWithBothShapes(@TempDir Path tmp) throws Exception {
        Object root = TorchCheckpoint.readForImport(DIR.resolve("mmdet2_retinanet_tiny.pth")).root();
        @SuppressWarnings("unchecked")
        Map<String, Object> sd = (Map<String, Object>) ((Map<String, Object>) root).get("state_dict");
        sd.put("neck.fpn_convs.1.conv.weight", HostTensor.ofFloats(new long[] {64, 64, 1, 1}, new float[64 * 64]));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state_dict", sd);
        Path f = tmp.resolve("bad.pth");
        TorchCheckpoint.write(f, out);
        WeightImporter.Mapped m = WeightImporter.map(f, WeightFormat.AUTO, false);
        ImportReport r = WeightImporter.compare(m, "retinanet_tiny", WeightImporter.layouts(SPECS, "retinanet_tiny"));
        assertFalse(r.clean());
        assertEquals(1, r.mismatched().size());
        assertEquals("neck.fpn_convs.1.conv.weight: checkpoint [64, 64, 1, 1], spec [64, 64, 3, 3]",
                r.mismatched().get(0).toString());
    }

    @Test
    void weightsOfAnotherSpecAreRefusedInOneLine(@TempDir Path tmp) throws Exception {
        // the first tensors of an R50 RetinaNet, with mmdetection's names
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("backbone.conv1.weight", HostTensor.ofFloats(new long[] {64, 3, 7, 7}, new float[64 * 3 * 49]));
        for (String p : new String[] {"weight", "bias", "running_mean", "running_var"}) {
            sd.put("backbone.bn1." + p, HostTensor.ofFloats(new long[] {64}, new float[64]));
        }
        sd.put("backbone.layer1.0.conv1.weight", HostTensor.ofFloats(new long[] {64, 64, 1, 1}, new float[64 * 64]));
        sd.put("neck.lateral_convs.0.conv.weight", HostTensor.ofFloats(new long[] {256, 512, 1, 1}, new float[256 * 512]));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", sd);
        Path f = tmp.resolve("r50.pth");
        TorchCheckpoint.write(f, root);
        WeightImporter.Mapped m = WeightImporter.map(f, WeightFormat.AUTO, false);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> WeightImporter.compare(m, "retinanet_tiny", WeightImporter.layouts(SPECS, "retinanet_tiny")));
        assertEquals(f + ": weights for another spec: 7 of 7 shared tensors differ in shape from retinanet_tiny's (e.g. "
                + "backbone.conv1.weight [64, 3, 7, 7] vs [16, 3, 7, 7]); import it with the --spec it was trained for",
                ex.getMessage());
    }

    @Test
    void importedCheckpointCarriesSourceAndFormatAndReadsBack(@TempDir Path tmp) throws Exception {
        Path src = DIR.resolve("mmdet3_retinanet_tiny.pth");
        WeightImporter.Mapped m = WeightImporter.map(src, WeightFormat.MMDET, false);
        ImportReport r = WeightImporter.compare(m, "retinanet_tiny", WeightImporter.layouts(SPECS, "retinanet_tiny"));
        assertEquals("mmdetection 3.x (mmengine) 0.7.4", r.detail());
        Path out = tmp.resolve("imported.pth");
        TorchCheckpoint.write(out, WeightImporter.checkpoint(m, r, "retinanet_tiny", false));
        Object back = TorchCheckpoint.read(out);
        Map<?, ?> meta = (Map<?, ?>) ((Map<?, ?>) back).get("meta");
        assertEquals("import", meta.get("stage"));
        assertEquals("retinanet_tiny", meta.get("spec"));
        assertEquals("mmdet", meta.get("source_format"));
        assertEquals(src.toAbsolutePath().normalize().toString(), meta.get("source"));
        assertEquals(List.of("circle", "square", "triangle", "star", "cross", "ring", "diamond", "hexagon"), meta.get("classes"));
        Map<String, HostTensor> sd = TorchCheckpoint.stateDict(back);
        assertEquals(r.loaded(), new ArrayList<>(sd.keySet()));
        assertEquals(m.tensors().get("bbox_head.retina_cls.weight"), sd.get("bbox_head.retina_cls.weight"));
    }
}
