package org.aligndet.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.detect.ClassifierBias;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Initialisation from a pre-training checkpoint: projector dropped, classifier fresh, everything else loaded. */
class DetectorInitTest {
    /** A pre-training-shaped checkpoint: every graph tensor + 0.5 (so loads are visible), a projector, meta. */
    static Path pretrained(Path dir, TorchGraph g, String stage) throws Exception {
        Map<String, HostTensor> sd = new LinkedHashMap<>();
        g.stateDict().forEach((k, v) -> {
            float[] x = v.toFloats();
            for (int i = 0; i < x.length; i++) {
                x[i] += 0.5f;
            }
            sd.put(k, HostTensor.ofFloats(v.shape(), x));
        });
        Map<String, HostTensor> projector = new LinkedHashMap<>();
        projector.put("fc1.weight", HostTensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4));
        projector.put("fc1.bias", HostTensor.ofFloats(new long[] {2}, 1, 2));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("spec", "x");
        meta.put("stage", stage);
        meta.put("aligndet_pretrained", true);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", sd);
        root.put("meta", meta);
        root.put("projector", projector);
        Path p = dir.resolve(stage + ".pth");
        TorchCheckpoint.write(p, root);
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny"})
    void projectorDroppedClassifierFreshEverythingElseLoaded(String name, @TempDir Path dir) throws Exception {
        ModelSpecs specs = ModelSpecs.locate();
        ModelSpec spec = specs.load(name);
        try (TorchGraph g = TorchGraph.load(specs.graph(name), Device.cpu(), DenseDetector.METHODS)) {
            Map<String, HostTensor> before = g.stateDict();
            Path ckpt = pretrained(dir, g, "pretrain");
            InitReport r = DetectorInit.fromPretrained(g, spec, ckpt, 0);
            List<String> cls = DetectorInit.classifierNames(spec);
            assertEquals(cls, new ArrayList<>(r.fresh().keySet()), r.summary());
            assertEquals(before.size() - 2, r.loaded().size());
            assertEquals("projector (pre-training only)", r.skipped().get("projector.fc1.weight"));
            assertEquals("projector (pre-training only)", r.skipped().get("projector.fc1.bias"));
            assertTrue(r.skipped().keySet().containsAll(cls), "the checkpoint's classifier is reported unused");
            Map<String, HostTensor> after = g.stateDict();
            for (String k : r.loaded()) {
                assertEquals(before.get(k).toFloats()[0] + 0.5f, after.get(k).toFloats()[0], 1e-6, k);
            }
            float[] bias = after.get(cls.get(1)).toFloats();
            for (float b : bias) {
                assertEquals(ClassifierBias.classifierBiasPrior(spec), b, 1e-6);
            }
            float[] w = after.get(cls.get(0)).toFloats();
            double mean = 0, sq = 0;
            for (float v : w) {
                mean += v;
                sq += v * v;
            }
            mean /= w.length;
            double std = Math.sqrt(sq / w.length - mean * mean);
            assertEquals(0.01, std, 0.001, "classifier weight ~ N(0, 0.01)");
            assertEquals(0, mean, 0.001);

            r.write(dir.resolve("init_report.json"));
            JsonNode j = new ObjectMapper().readTree(dir.resolve("init_report.json").toFile());
            assertEquals(2, j.path("counts").path("fresh").asInt());
            assertEquals("pretrained", j.path("mode").asText());
        }
    }

    @Test
    void aFineTunedCheckpointKeepsItsClassifierAndABackboneCheckpointLoadsTheBackboneOnly(@TempDir Path dir) throws Exception {
        ModelSpecs specs = ModelSpecs.locate();
        ModelSpec spec = specs.load("retinanet_tiny");
        try (TorchGraph g = TorchGraph.load(specs.graph("retinanet_tiny"), Device.cpu(), DenseDetector.METHODS)) {
            int n = g.parameters().size();
            InitReport r = DetectorInit.fromPretrained(g, spec, pretrained(dir, g, "finetune"), 0);
            assertEquals(n, r.loaded().size());
            assertTrue(r.fresh().isEmpty());

            InitReport b = DetectorInit.fromBackbone(g, spec, pretrained(dir, g, "pretrain"));
            long backbone = g.parameters().keySet().stream().filter(k -> k.startsWith("backbone.")).count();
            assertEquals(backbone, b.loaded().size());
            assertEquals(n - backbone, b.fresh().size());
            assertTrue(b.skipped().containsKey("neck.lateral_convs.0.conv.weight"), b.skipped().toString());
        }
    }
}
