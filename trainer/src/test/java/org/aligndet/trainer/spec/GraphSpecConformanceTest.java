package org.aligndet.trainer.spec;

import org.aligndet.trainer.infer.PostprocessConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.onnx.InitializerInfo;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.ValueSpec;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.tensor.TensorBundle;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.TorchGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed graphs still match their specs (parameter names and shapes, methods, the ONNX
 * contract, file hashes in the manifest) and their fixtures (every stage output on the fixture input).
 */
class GraphSpecConformanceTest {
    static final ModelSpecs SPECS = ModelSpecs.locate();

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny"})
    void filesMatchTheirManifest(String name) throws Exception {
        JsonNode m = new ObjectMapper().readTree(SPECS.manifest(name).toFile());
        assertEquals(name, m.path("spec").asText());
        for (var it = m.path("files").fields(); it.hasNext(); ) {
            var e = it.next();
            Path f = SPECS.directory().resolve("graphs").resolve(e.getKey());
            assertEquals(e.getValue().asText(), sha256(f), f + " changed since the generator wrote the manifest");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny"})
    void graphParametersMatchSpecAndManifest(String name) throws Exception {
        ModelSpec spec = SPECS.load(name);
        JsonNode m = new ObjectMapper().readTree(SPECS.manifest(name).toFile());
        try (TorchGraph g = TorchGraph.load(SPECS.graph(name), Device.cpu(),
                "backbone_forward", "neck_forward", "head_forward", "classify", "forward")) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            g.parameters().forEach((k, v) -> shapes.put(k, v.getShape().getShape()));
            List<String> manifestNames = new ArrayList<>();
            for (JsonNode p : m.path("parameters")) {
                String n = p.path("name").asText();
                manifestNames.add(n);
                long[] want = new ObjectMapper().convertValue(p.path("shape"), long[].class);
                assertNotNull(shapes.get(n), name + ": manifest parameter " + n + " missing from the graph");
                assertArrayEquals(want, shapes.get(n), n);
            }
            assertEquals(manifestNames, new ArrayList<>(shapes.keySet()));
            // shapes that follow from the spec itself
            int k = spec.numClasses();
            int a = spec.anchorsPerLocation();
            int c = spec.headChannels();
            if (spec.family() == Family.RETINANET) {
                assertArrayEquals(new long[] {(long) a * k, c, 3, 3}, shapes.get("bbox_head.retina_cls.weight"));
                assertArrayEquals(new long[] {a * 4L, c, 3, 3}, shapes.get("bbox_head.retina_reg.weight"));
            } else {
                assertArrayEquals(new long[] {k, c, 3, 3}, shapes.get("bbox_head.conv_cls.weight"));
                assertArrayEquals(new long[] {4, c, 3, 3}, shapes.get("bbox_head.conv_reg.weight"));
                assertArrayEquals(new long[] {1, c, 3, 3}, shapes.get("bbox_head.conv_centerness.weight"));
                for (int l = 0; l < spec.numLevels(); l++) {
                    assertArrayEquals(new long[0], shapes.get("bbox_head.scales." + l + ".scale"));
                }
            }
            List<Integer> in = spec.neckInChannels();
            for (int i = 0; i < in.size(); i++) {
                assertArrayEquals(new long[] {spec.neckChannels(), in.get(i), 1, 1},
                        shapes.get("neck.lateral_convs." + i + ".conv.weight"));
            }
            assertEquals(spec.numLevels(), spec.neckOutputs());
            assertTrue(shapes.containsKey("backbone.conv1.weight") && shapes.containsKey("backbone.bn1.running_var"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny"})
    void onnxTemplateFollowsTheContract(String name) throws Exception {
        ModelSpec spec = SPECS.load(name);
        OnnxModel onnx = OnnxModel.load(SPECS.onnxTemplate(name));
        onnx.requireInputs(ValueSpec.of("images", DType.FLOAT32, "N", "3", "H", "W"));
        int k = PostprocessConfig.from(spec).maxPerImg();
        onnx.requireOutputs(ValueSpec.of("dets", DType.FLOAT32, "N", Integer.toString(k), "5"),
                ValueSpec.of("labels", DType.INT64, "N", Integer.toString(k)));
        Map<String, long[]> inits = new LinkedHashMap<>();
        for (InitializerInfo i : onnx.initializers()) {
            inits.put(i.name(), i.shape());
        }
        try (TorchGraph g = TorchGraph.load(SPECS.graph(name), Device.cpu())) {
            g.parameters().forEach((p, v) -> {
                assertNotNull(inits.get(p), name + ".onnx lacks initializer " + p);
                assertArrayEquals(v.getShape().getShape(), inits.get(p), p);
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny"})
    void stageOutputsMatchFixtures(String name) throws Exception {
        ModelSpec spec = SPECS.load(name);
        Map<String, HostTensor> fx = TensorBundle.read(SPECS.fixtures(name).resolve("graph"));
        int levels = spec.numLevels();
        try (TorchGraph g = TorchGraph.load(SPECS.graph(name), Device.cpu());
             NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = NdTensors.toNd(nd, fx.get("input"));
            NDList feats = g.call("backbone_forward", false, x);
            NDList pyr = g.call("neck_forward", false, feats);
            NDList head = g.call("head_forward", false, pyr);
            NDList logits = g.call("classify", false, new NDList(head.subList(0, levels)));
            String[] groups = {"cls_feats", "box_out", "centerness"};
            assertEquals(levels * (spec.family() == Family.FCOS ? 3 : 2), head.size());
            for (int i = 0; i < feats.size(); i++) {
                close(feats.get(i), fx.get("backbone." + i), name + " backbone." + i);
            }
            for (int i = 0; i < levels; i++) {
                close(pyr.get(i), fx.get("neck." + i), name + " neck." + i);
                close(logits.get(i), fx.get("classify." + i), name + " classify." + i);
            }
            for (int j = 0; j < head.size(); j++) {
                String key = "head." + groups[j / levels] + "." + (j % levels);
                close(head.get(j), fx.get(key), name + " " + key);
            }
        }
    }

    @Test
    void badSpecsGetClearErrors(@TempDir Path dir) throws Exception {
        SpecException e1 = assertThrows(SpecException.class, () -> SPECS.load("no_such_spec"));
        assertTrue(e1.getMessage().contains("no_such_spec") && e1.getMessage().contains("retinanet_tiny"), e1.getMessage());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"spec_version\": 1, \"name\": \"bad\", \"family\": \"retinanet\", \"num_classes\": 3}");
        SpecException e2 = assertThrows(SpecException.class, () -> ModelSpec.load(bad));
        assertTrue(e2.getMessage().contains("bad.json") && e2.getMessage().contains("missing key 'head'"), e2.getMessage());
        Files.writeString(bad, "{\"spec_version\": 2}");
        SpecException e3 = assertThrows(SpecException.class, () -> ModelSpec.load(bad));
        assertTrue(e3.getMessage().contains("spec_version"), e3.getMessage());
    }

    @Test
    void twoStageSpecsLoad() {
        ModelSpec f = SPECS.load("faster_rcnn_tiny");
        assertEquals(Family.FASTER_RCNN, f.family());
        assertEquals(List.of(4, 8, 16, 32, 64), f.strides());
        assertEquals(3, f.anchorsPerLocation());
        assertEquals(64, f.headChannels());
        TwoStageSpec t = f.twoStage();
        assertEquals(new TwoStageSpec.Proposals(600, 0.7f, 300), t.rpnTrain());
        assertEquals(new TwoStageSpec.Proposals(300, 0.7f, 100), t.rpnTest());
        assertArrayEquals(new int[] {4, 8, 16, 32}, t.roiStrides());
        assertEquals(7, t.roiSize());
        assertEquals(56f, t.finestScale());
        assertEquals(128, t.fcChannels());
        assertArrayEquals(new float[] {0.1f, 0.1f, 0.2f, 0.2f}, t.roiStds());
        assertTrue(!t.hasMasks() && !f.hasMasks());
        ModelSpec m = SPECS.load("mask_rcnn_tiny");
        assertEquals(Family.MASK_RCNN, m.family());
        assertTrue(m.hasMasks() && m.twoStage().hasMasks());
        assertEquals(14, m.twoStage().maskRoiSize());
        assertEquals(28, m.twoStage().maskSize());
        assertEquals(0.5f, m.twoStage().maskThreshold());
        for (String r50 : new String[] {"faster_rcnn_r50_fpn", "mask_rcnn_r50_fpn"}) {
            ModelSpec s = SPECS.load(r50);
            assertEquals(80, s.numClasses(), r50);
            assertEquals(1024, s.twoStage().fcChannels(), r50);
            assertEquals(new TwoStageSpec.Proposals(2000, 0.7f, 1000), s.twoStage().rpnTrain(), r50);
            assertEquals(new TwoStageSpec.Proposals(1000, 0.7f, 1000), s.twoStage().rpnTest(), r50);
            assertEquals(512, s.twoStage().roiSamples(), r50);
            assertEquals(4096, s.pretrain().sampleBoxes(), r50);
            assertEquals(r50.startsWith("mask"), s.hasMasks(), r50);
        }
    }

    @Test
    void badTwoStageSpecsNameFileAndKey(@TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        String[][] cases = {
            {"faster_rcnn_tiny", "roi_head", null, "missing key 'roi_head'"},
            {"faster_rcnn_tiny", "roi_head", "fc_out_channels", "missing key 'roi_head.fc_out_channels'"},
            {"faster_rcnn_tiny", "rpn_head", null, "missing key 'rpn_head'"},
            {"faster_rcnn_tiny", "rpn_head.anchor", "strides", "missing key 'rpn_head.anchor.strides'"},
            {"faster_rcnn_tiny", "rpn_head", "feat_channels", "missing key 'rpn_head.feat_channels'"},
            {"mask_rcnn_tiny", "roi_head", "mask", "missing key 'roi_head.mask'"},
        };
        for (String[] c : cases) {
            com.fasterxml.jackson.databind.node.ObjectNode root =
                    (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(SPECS.load(c[0]).file().toFile());
            if (c[2] == null) {
                root.remove(c[1]);
            } else {
                JsonNode parent = root;
                for (String k : c[1].split("\\.")) {
                    parent = parent.get(k);
                }
                ((com.fasterxml.jackson.databind.node.ObjectNode) parent).remove(c[2]);
            }
            Path bad = dir.resolve("bad_" + c[0] + ".json");
            json.writeValue(bad.toFile(), root);
            SpecException e = assertThrows(SpecException.class, () -> {
                ModelSpec s = ModelSpec.load(bad);
                s.headChannels();
            }, c[3]);
            assertTrue(e.getMessage().contains(bad.getFileName().toString()) && e.getMessage().contains(c[3]), e.getMessage());
        }
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(SPECS.load("faster_rcnn_tiny").file().toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("rpn_head").get("anchor")).putArray("scales").add(8).add(16);
        Path bad = dir.resolve("two_scales.json");
        json.writeValue(bad.toFile(), root);
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.load(bad));
        assertTrue(e.getMessage().contains("two_scales.json") && e.getMessage().contains("rpn_head.anchor.scales"), e.getMessage());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("rpn_head").get("anchor")).putArray("scales").add(8);
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("rpn_head").get("test")).put("nms_iou", 1.5);
        json.writeValue(bad.toFile(), root);
        e = assertThrows(SpecException.class, () -> ModelSpec.load(bad));
        assertTrue(e.getMessage().contains("two_scales.json") && e.getMessage().contains("rpn_head") && e.getMessage().contains("nms_iou"),
                e.getMessage());
    }

    static void close(NDArray a, HostTensor want, String what) {
        org.aligndet.trainer.testing.Reference.assertCloseToFixture(a, want, what);
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }
}
