package org.aligndet.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.tensor.TensorBundle;
import org.aligndet.bridge.torch.LoadReport;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.TorchGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each foreign checkpoint of {@code fixtures/import}, imported as {@code aligndet import} does and loaded into the
 * spec's TorchScript graph, reproduces the outputs the generator recorded for the same weights in eager PyTorch
 * ({@code NAME.outputs}: backbone, neck, classification and box outputs, as far as the file holds weights for them)
 * on the spec's fixture input, to 1e-4 relative, plus 1e-5 of the output's largest magnitude: a conv output's
 * rounding error scales with its summands, not with its own value, so a small entry of a tensor that reaches
 * large values carries more of it (torchvision's tiny RetinaNet box output reaches 288; one entry of 0.28 came
 * out 6e-4 off on an AMD EPYC while matching elsewhere, 2e-6 of the tensor's scale).
 */
class ImportedOutputsTest {
    static final double TOL = 1e-4;
    static final double SCALE_TOL = 1e-5;

    @ParameterizedTest
    @ValueSource(strings = {"mmdet2_retinanet_tiny.pth", "mmdet3_retinanet_tiny.pth", "torchvision_retinanet_tiny.pth",
        "torchvision_fcos_tiny.pth", "torchvision_resnet_tiny.pth", "aligndet_retinanet_tiny.pth", "moco_v2_tiny.pth"})
    void importedWeightsComputeTheRecordedOutputs(String file) throws Exception {
        JsonNode e = WeightImporterFixturesTest.expected(file);
        String spec = e.get("spec").asText();
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        ImportReport r = WeightImporterFixturesTest.importAuto(file, false, weights);
        Map<String, HostTensor> want = TensorBundle.read(WeightImporterFixturesTest.DIR.resolve(file.replace(".pth", ".outputs")));
        HostTensor input = TensorBundle.read(WeightImporterFixturesTest.SPECS.directory().resolve("fixtures/" + spec + "/graph")).get("input");
        Path graph = r.layout().equals("pretrain") ? WeightImporterFixturesTest.SPECS.pretrainGraph(spec)
                : WeightImporterFixturesTest.SPECS.graph(spec);
        int compared = 0;
        try (TorchGraph g = TorchGraph.load(graph, Device.cpu()); NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            g.setTraining(false);
            LoadReport load = g.load(weights);
            assertTrue(load.mismatched().isEmpty() && load.unexpected().isEmpty(), load.toString());
            NDList feats = g.call("backbone_forward", false, NdTensors.toNd(nd, input));
            compared += compare(feats, want, "backbone", file);
            if (want.containsKey("neck.0")) {
                NDList pyramid = g.call("neck_forward", false, feats);
                compared += compare(pyramid, want, "neck", file);
                NDList head = g.call("head_forward", false, pyramid);
                int levels = pyramid.size();
                if (want.containsKey("cls.0")) {
                    compared += compare(g.call("classify", false, new NDList(head.subList(0, levels))), want, "cls", file);
                }
                if (want.containsKey("reg.0")) {
                    compared += compare(new NDList(head.subList(levels, 2 * levels)), want, "reg", file);
                }
                if (want.containsKey("ctr.0")) {
                    compared += compare(new NDList(head.subList(2 * levels, 3 * levels)), want, "ctr", file);
                }
            }
        }
        assertEquals(want.size(), compared, file + ": every recorded output compared");
    }

    /** Compares each {@code got.get(i)} with {@code want[prefix.i]}; returns how many were compared. */
    private static int compare(NDList got, Map<String, HostTensor> want, String prefix, String file) {
        int n = 0;
        for (int i = 0; want.containsKey(prefix + "." + i); i++) {
            HostTensor w = want.get(prefix + "." + i);
            NDArray a = got.get(i);
            assertEquals(java.util.Arrays.toString(w.shape()), java.util.Arrays.toString(a.getShape().getShape()),
                    file + " " + prefix + "." + i + " shape");
            float[] ours = a.toFloatArray();
            float[] ref = w.toFloats();
            double spread = 0;
            double scale = 0;
            for (float r : ref) {
                scale = Math.max(scale, Math.abs(r));
            }
            for (int j = 0; j < ref.length; j++) {
                double d = Math.abs(ours[j] - ref[j]);
                assertTrue(d <= TOL * (1 + Math.abs(ref[j])) + SCALE_TOL * scale, file + " " + prefix + "." + i + "[" + j + "]: "
                        + ours[j] + " against " + ref[j] + " (largest magnitude " + scale + ")");
                spread = Math.max(spread, Math.abs(ref[j] - ref[0]));
            }
            assertTrue(spread > 1e-3, file + " " + prefix + "." + i + ": the recorded output is (nearly) constant");
            n++;
        }
        assertTrue(n > 0, file + ": nothing recorded for " + prefix);
        return n;
    }
}
