package org.aligndet.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --init} and {@code --backbone} read foreign checkpoints through the same tables as {@code aligndet import}. */
class ImportedInitTest {
    static final ModelSpecs SPECS = ModelSpecs.locate();
    static final Path DIR = SPECS.directory().resolve("fixtures/import");

    @Test
    void anImportedDetectorInitialisesEveryParameterAndKeepsItsClassifier(@TempDir Path tmp) throws Exception {
        ModelSpec spec = SPECS.load("retinanet_tiny");
        WeightImporter.Mapped m = WeightImporter.map(DIR.resolve("mmdet2_retinanet_tiny.pth"), WeightFormat.AUTO, false);
        ImportReport r = WeightImporter.compare(m, "retinanet_tiny", WeightImporter.layouts(SPECS, "retinanet_tiny"));
        Path ckpt = tmp.resolve("imported.pth");
        TorchCheckpoint.write(ckpt, WeightImporter.checkpoint(m, r, "retinanet_tiny", false));
        try (TorchGraph g = TorchGraph.load(SPECS.graph("retinanet_tiny"), Device.cpu(), DenseDetector.METHODS)) {
            InitReport init = DetectorInit.fromPretrained(g, spec, ckpt, 0);
            assertEquals(g.parameters().size(), init.loaded().size(), init.summary());
            assertTrue(init.fresh().isEmpty(), init.fresh().toString());
            Map<String, HostTensor> after = g.stateDict();
            for (String k : new String[] {"bbox_head.retina_cls.weight", "backbone.layer4.0.bn2.running_var"}) {
                assertArrayEquals(m.tensors().get(k).toFloats(), after.get(k).toFloats(), 0f, k);
            }
        }
    }

    @Test
    void aForeignFileGivenToInitOrBackboneIsMappedByItsNames() throws Exception {
        ModelSpec spec = SPECS.load("retinanet_tiny");
        try (TorchGraph g = TorchGraph.load(SPECS.graph("retinanet_tiny"), Device.cpu(), DenseDetector.METHODS)) {
            InitReport b = DetectorInit.fromBackbone(g, spec, DIR.resolve("moco_v2_tiny.pth"));
            long backbone = g.parameters().keySet().stream().filter(k -> k.startsWith("backbone.")).count();
            assertEquals(backbone, b.loaded().size(), b.summary());
            assertEquals("momentum encoder (import it instead with --momentum)", b.skipped().get("module.encoder_k.conv1.weight"));
            WeightImporter.Mapped m = WeightImporter.map(DIR.resolve("moco_v2_tiny.pth"), WeightFormat.AUTO, false);
            assertArrayEquals(m.tensors().get("backbone.conv1.weight").toFloats(),
                    g.stateDict().get("backbone.conv1.weight").toFloats(), 0f);

            // AlignDet's pre-training layout: the online detector, projector dropped, classifier fresh; the fine-tuning
            // graph's FPN GroupNorm is not in a pre-training checkpoint (its FPN conv biases are skipped instead)
            InitReport p = DetectorInit.fromPretrained(g, spec, DIR.resolve("aligndet_retinanet_tiny.pth"), 0);
            assertTrue(p.fresh().keySet().containsAll(DetectorInit.classifierNames(spec)), p.summary());
            assertEquals(2 + 16, p.fresh().size(), p.fresh().toString());
            assertTrue(p.fresh().keySet().stream().filter(k -> k.startsWith("neck.")).allMatch(k -> k.contains(".gn.")));
            assertEquals(g.parameters().size() - 18, p.loaded().size());
            assertEquals("projector (pre-training only)", p.skipped().get("online_backbone.bbox_head.retina_cls.0.weight"));
        }
    }
}
