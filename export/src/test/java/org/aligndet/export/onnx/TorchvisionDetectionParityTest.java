package org.aligndet.export.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.proto.OnnxProto.GraphProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.NodeProto;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.tensor.TensorBundle;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.weights.ImportReport;
import org.aligndet.trainer.weights.WeightFormat;
import org.aligndet.trainer.weights.WeightImporter;
import org.junit.jupiter.api.Test;

/**
 * Detections end to end against torchvision: the seeded tiny torchvision RetinaNet of
 * {@code model-specs/generator/torchvision_tiny.py} (written with real {@code torch.save}) imported by name
 * ({@code aligndet import}'s mapping), filled into the retinanet_tiny ONNX template and run
 * through ONNX Runtime on the fixture's 0-255 pixels gives the detections torchvision's own
 * {@code postprocess_detections} recorded in eager mode on the same pixels through the same mean/std: every
 * detection present in both, same label, box within 1e-3 px, score within 1e-5.
 *
 * <p>What is set to mmdetection's on the torchvision side, deliberately (the generator's docstring; the README):
 * P7 without torchvision's ReLU, base anchors not rounded, and candidate and per-image limits that do not bind.
 * On this side: torchvision's FPN has conv biases and no norm; retinanet_tiny's fine-tuning FPN has GroupNorm
 * (exactly the pre-training layout, which has no ONNX template). The template's GroupNorm is therefore reduced to its
 * affine part here, weight 1 and bias the torchvision conv's bias: the same function as a conv with bias.
 */
class TorchvisionDetectionParityTest {
    static final Path DIR = ModelSpecs.locate().directory().resolve("fixtures/torchvision");

    @Test
    void onnxRuntimeDetectsWhatTorchvisionDetects() throws Exception {
        ModelSpecs specs = ModelSpecs.locate();
        ModelSpec spec = specs.load("retinanet_tiny");
        WeightImporter.Mapped m = WeightImporter.map(DIR.resolve("retinanet_tiny_parity.pth"), WeightFormat.AUTO, false);
        ImportReport r = WeightImporter.compare(m, "retinanet_tiny", WeightImporter.layouts(specs, "retinanet_tiny"));
        assertTrue(r.clean(), r.summary());
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        r.loaded().forEach(k -> weights.put(k, m.tensors().get(k)));
        // the final layers import as they are: both libraries order a location's anchors ratio-major
        // (w_ratios[:, None] * scales[None, :]); a permuted channel order would decode boxes with other anchors' shapes

        OnnxModel model = OnnxModel.load(specs.onnxTemplate("retinanet_tiny"));
        int bypassed = affineOnlyGroupNorm(model, weights);
        assertEquals(8, bypassed, "3 lateral and 5 output convs of the FPN");
        var fill = model.fillInitializers(weights);
        assertTrue(fill.mismatched().isEmpty() && fill.unused().isEmpty(), fill.describe());

        Map<String, HostTensor> fx = TensorBundle.read(DIR.resolve("retinanet_tiny_parity.detections"));
        Map<String, HostTensor> out = OnnxExporterTest.run(model, fx.get("pixels"));
        float[] dets = out.get("dets").toFloats();
        long[] labels = out.get("labels").toLongs();
        float[] tvBoxes = fx.get("boxes").toFloats();
        float[] tvScores = fx.get("scores").toFloats();
        long[] tvLabels = fx.get("labels").toLongs();
        long[] count = fx.get("count").toLongs();
        int k = (int) fx.get("boxes").shape()[1];
        double worstBox = 0;
        double worstScore = 0;
        int compared = 0;
        for (int n = 0; n < count.length; n++) {
            boolean[] used = new boolean[k];
            long oursN = 0;
            for (int i = 0; i < k; i++) {
                oursN += labels[n * k + i] >= 0 ? 1 : 0;
            }
            assertEquals(count[n], oursN, "image " + n + ": detections");
            for (int i = 0; i < count[n]; i++) {
                int t = n * k + i;
                int best = -1;
                double bestDiff = Double.POSITIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    int o = n * k + j;
                    if (used[j] || labels[o] != tvLabels[t]) {
                        continue;
                    }
                    double d = 0;
                    for (int c = 0; c < 4; c++) {
                        d = Math.max(d, Math.abs(dets[o * 5 + c] - tvBoxes[t * 4 + c]));
                    }
                    if (d < bestDiff) {
                        bestDiff = d;
                        best = j;
                    }
                }
                assertTrue(best >= 0, "image " + n + ": torchvision's detection " + i + " (label " + tvLabels[t] + ") unmatched");
                used[best] = true;
                worstBox = Math.max(worstBox, bestDiff);
                worstScore = Math.max(worstScore, Math.abs(dets[(n * k + best) * 5 + 4] - tvScores[t]));
                compared++;
            }
        }
        assertTrue(compared >= 100, "compared " + compared);
        assertTrue(worstBox <= 1e-3, "worst box difference " + worstBox + " px");
        assertTrue(worstScore <= 1e-5, "worst score difference " + worstScore);
        System.out.printf("torchvision parity: %d detections, worst box %.3g px, worst score %.3g%n", compared, worstBox, worstScore);
    }

    /**
     * Rewires each FPN GroupNorm's scale-and-shift to take the conv's output directly (normalisation skipped),
     * and sets its weight to 1 and its bias to the imported conv bias, which it removes from {@code weights}.
     */
    static int affineOnlyGroupNorm(OnnxModel model, Map<String, HostTensor> weights) {
        int[] n = new int[1];
        model.editGraph(g -> {
            Map<String, String> convOut = new LinkedHashMap<>();
            for (NodeProto node : g.getNodeList()) {
                if (node.getOpType().equals("Conv") && node.getInput(1).startsWith("neck.")) {
                    convOut.put(node.getInput(1).replace(".conv.weight", ""), node.getOutput(0));
                }
            }
            for (var e : convOut.entrySet()) {
                String gnWeight = e.getKey() + ".gn.weight";
                String unsq = producerOf(g, gnWeight);
                for (int i = 0; i < g.getNodeCount(); i++) {
                    NodeProto node = g.getNode(i);
                    if (node.getOpType().equals("Mul") && node.getInputList().contains(unsq)) {
                        int data = node.getInput(0).equals(unsq) ? 1 : 0;
                        g.getNodeBuilder(i).setInput(data, e.getValue());
                        n[0]++;
                    }
                }
                HostTensor bias = weights.remove(e.getKey() + ".conv.bias");
                long[] shape = bias.shape();
                float[] ones = new float[(int) shape[0]];
                java.util.Arrays.fill(ones, 1f);
                weights.put(gnWeight, HostTensor.ofFloats(shape, ones));
                weights.put(e.getKey() + ".gn.bias", bias);
            }
        });
        return n[0];
    }

    private static String producerOf(GraphProto.Builder g, String initializer) {
        for (NodeProto node : g.getNodeList()) {
            if (node.getOpType().equals("Unsqueeze") && node.getInput(0).equals(initializer)) {
                return node.getOutput(0);
            }
        }
        throw new IllegalStateException("no Unsqueeze of " + initializer);
    }
}
