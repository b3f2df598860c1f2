package org.aligndet.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.tensor.TensorBundle;
import org.aligndet.bridge.torch.LoadReport;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.api.Test;

/**
 * A torchvision RetinaNet (torchvision's own classes with retinanet_tiny's shapes, seeded weights; written with its
 * eager outputs by {@code model-specs/generator/torchvision_tiny.py}) imported, then run through this project's
 * TorchScript graph on the same normalised input: the raw head outputs per level agree to 1e-4, channel for channel
 * (both libraries order a location's anchors ratio-major, so the final layers import unpermuted). Raw outputs, not boxes: post-processing differs on
 * purpose (README, "Bring your own weights"). torchvision's P7 is {@code p7(relu(P6))}, mmdetection's {@code p7(P6)}:
 * P7 is compared with the fixture's same-weights outputs without that ReLU, and shown to differ from torchvision's.
 */
class TorchvisionParityTest {
    static final ModelSpecs SPECS = ModelSpecs.locate();
    static final Path DIR = SPECS.directory().resolve("fixtures/torchvision");
    static final double TOL = 1e-4;

    @Test
    void rawHeadOutputsMatchTorchvisionEagerPerLevel() throws Exception {
        ModelSpec spec = SPECS.load("retinanet_tiny");
        Map<String, HostTensor> fx = TensorBundle.read(DIR.resolve("retinanet_tiny_parity"));
        WeightImporter.Mapped m = WeightImporter.map(DIR.resolve("retinanet_tiny_parity.pth"), WeightFormat.AUTO, false);
        ImportReport r = WeightImporter.compare(m, "retinanet_tiny", WeightImporter.layouts(SPECS, "retinanet_tiny"));
        assertTrue(r.clean(), r.summary());
        assertEquals("pretrain", r.layout(), "torchvision's FPN (conv biases, no norm) is the pre-training layout");
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        r.loaded().forEach(k -> weights.put(k, m.tensors().get(k)));
        int levels = spec.numLevels();
        try (TorchGraph g = TorchGraph.load(SPECS.pretrainGraph("retinanet_tiny"), Device.cpu());
             NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            g.setTraining(false);
            LoadReport load = g.load(weights);
            assertTrue(load.complete(), load.toString());
            NDArray x = NdTensors.toNd(nd, fx.get("input"));
            NDList pyramid = g.call("neck_forward", false, g.call("backbone_forward", false, x));
            NDList head = g.call("head_forward", false, pyramid);
            NDList logits = g.call("classify", false, new NDList(head.subList(0, levels)));
            assertEquals(levels, pyramid.size());
            double worst = 0;
            for (int i = 0; i < levels; i++) {
                String p = i == levels - 1 ? "norelu." : "";
                worst = Math.max(worst, close(pyramid.get(i).toFloatArray(), fx.get(p + "fpn." + i), "P" + (i + 3)));
                worst = Math.max(worst, close(logits.get(i).toFloatArray(), fx.get(p + "cls." + i), "cls level " + i));
                worst = Math.max(worst, close(head.get(levels + i).toFloatArray(), fx.get(p + "reg." + i), "reg level " + i));
            }
            assertTrue(worst > 0, "the comparison ran on real values");
            // torchvision itself, ReLU before P7 included, is another model at P7
            float[] ours = pyramid.get(levels - 1).toFloatArray();
            float[] tv = fx.get("fpn." + (levels - 1)).toFloats();
            double diff = 0;
            for (int j = 0; j < tv.length; j++) {
                diff = Math.max(diff, Math.abs(ours[j] - tv[j]));
            }
            assertTrue(diff > 100 * TOL, "torchvision's P7 ReLU should show at P7: " + diff);
            // and the head outputs vary with the input, beyond their biases: the comparison above tests the convs
            float[] p3 = logits.get(0).toFloatArray();
            float[] p4 = logits.get(1).toFloatArray();
            assertTrue(Math.abs(p3[0] - p3[1]) + Math.abs(p3[0] - p4[0]) > 0.05, "outputs barely vary: " + p3[0] + " " + p3[1]);
        }
    }

    /** [N, A*C, H, W] with its anchor blocks permuted from a = r*S + s to a = s*R + r: an anchor order the comparison must reject. */
    static float[] permuteAnchors(HostTensor t, int ratios, int scales, int per) {
        float[] v = t.toFloats();
        long[] shape = t.shape();
        int n = (int) shape[0];
        int channels = (int) shape[1];
        int hw = (int) (shape[2] * shape[3]);
        float[] out = new float[v.length];
        for (int b = 0; b < n; b++) {
            for (int s = 0; s < scales; s++) {
                for (int r = 0; r < ratios; r++) {
                    for (int c = 0; c < per; c++) {
                        int from = ((b * channels) + (r * scales + s) * per + c) * hw;
                        int to = ((b * channels) + (s * ratios + r) * per + c) * hw;
                        System.arraycopy(v, from, out, to, hw);
                    }
                }
            }
        }
        return out;
    }

    /** Max |ours - torchvision|; fails past 1e-4 (1 + |torchvision|). */
    static double close(float[] ours, HostTensor want, String what) {
        assertNotNull(want, what + " missing from the fixture");
        float[] tv = want.toFloats();
        assertEquals(tv.length, ours.length, what);
        double worst = 0;
        for (int j = 0; j < tv.length; j++) {
            double d = Math.abs(ours[j] - tv[j]);
            assertTrue(d <= TOL * (1 + Math.abs(tv[j])), what + "[" + j + "]: ours " + ours[j] + ", torchvision " + tv[j]);
            worst = Math.max(worst, d);
        }
        return worst;
    }

    @Test
    void theAnchorOrderMattersAtThisTolerance() throws Exception {
        // had the importer permuted the anchors (as it once did), the final layers' outputs would not match
        Map<String, HostTensor> fx = TensorBundle.read(DIR.resolve("retinanet_tiny_parity"));
        HostTensor cls = fx.get("cls.0");
        float[] asIs = cls.toFloats();
        float[] moved = permuteAnchors(cls, 3, 3, 8);
        double diff = 0;
        for (int j = 0; j < asIs.length; j++) {
            diff = Math.max(diff, Math.abs(asIs[j] - moved[j]));
        }
        assertTrue(diff > 1000 * TOL, "anchors of the parity fixture differ by " + diff);
        assertArrayEquals(new long[] {2, 72, 8, 12}, cls.shape());
    }
}
