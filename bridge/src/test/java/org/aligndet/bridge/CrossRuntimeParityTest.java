package org.aligndet.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.onnx.FillReport;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OnnxSession;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.tensor.TensorBundle;
import org.aligndet.bridge.testing.Repo;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.TorchGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same weights through TorchScript (DJL) and through the ONNX inference template (ONNX Runtime):
 * the template's initializers are filled by name from the TorchScript graph, then the raw head
 * outputs of both runtimes must agree within 1e-4. The template is also checked against its own
 * PyTorch-eager outputs (decode, top-k and NMS included; for the two-stage templates RPN proposals,
 * RoiAlign-16 against torchvision's aligned roi_align, class-specific decoding, NMS and masks).
 */
class CrossRuntimeParityTest {
    static final float[] MEAN = {123.675f, 116.28f, 103.53f};
    static final float[] STD = {58.395f, 57.12f, 57.375f};

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny"})
    void filledTemplateMatchesTorchScript(String spec) throws Exception {
        boolean fcos = spec.startsWith("fcos");
        OnnxModel model = OnnxModel.load(Repo.resolve("model-specs/graphs/" + spec + ".onnx"));
        try (TorchGraph graph = TorchGraph.load(Repo.resolve("model-specs/graphs/" + spec + ".ts"), Device.cpu());
             NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            FillReport fill = model.fillInitializers(graph.stateDict());
            assertTrue(fill.missing().isEmpty(), "template initializers not in the graph: " + fill.missing());
            assertTrue(fill.unused().isEmpty(), "graph parameters not in the template: " + fill.unused());
            assertTrue(fill.mismatched().isEmpty(), "shape mismatches: " + fill.mismatched());

            // a size other than the fixture's, to exercise the dynamic axes: [1, 3, 96, 128]
            HostTensor raw = pattern(1, 96, 128);
            Map<String, HostTensor> ort;
            try (OnnxSession s = OrtSessions.open(model.toBytes(), spec, OrtSessions.CPU)) {
                ort = s.run(Map.of("images", raw));
            }
            NDArray x = NdTensors.toNd(nd, normalise(raw));
            NDList head = graph.call("head_forward", false, graph.call("neck_forward", false,
                    graph.call("backbone_forward", false, x)));
            NDList logits = graph.call("classify", false, new NDList(head.subList(0, 5)));
            List<String> names = new ArrayList<>();
            List<NDArray> torch = new ArrayList<>();
            for (int l = 0; l < 5; l++) {
                names.add("cls_score_" + l);
                torch.add(logits.get(l));
                names.add("bbox_pred_" + l);
                torch.add(head.get(5 + l));
                if (fcos) {
                    names.add("centerness_" + l);
                    torch.add(head.get(10 + l));
                }
            }
            for (int i = 0; i < names.size(); i++) {
                HostTensor o = ort.get(names.get(i));
                HostTensor t = NdTensors.toHost(torch.get(i));
                assertArrayEquals(t.shape(), o.shape(), names.get(i));
                double d = maxAbs(t.toFloats(), o.toFloats());
                assertTrue(d <= 1e-4, spec + " " + names.get(i) + ": TorchScript and ONNX Runtime differ by " + d);
            }
            assertArrayEquals(new long[] {1, 100, 5}, ort.get("dets").shape());
            assertArrayEquals(new long[] {1, 100}, ort.get("labels").shape());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny", "faster_rcnn_tiny", "mask_rcnn_tiny"})
    void templateReproducesItsPyTorchOutputsIncludingNms(String spec) throws Exception {
        Map<String, HostTensor> expected = TensorBundle.read(Repo.resolve("model-specs/fixtures/" + spec + "/onnx"));
        Map<String, HostTensor> in = TensorBundle.read(Repo.resolve("model-specs/fixtures/" + spec + "/graph"));
        HostTensor images = in.get("input_u8");
        HostTensor asFloat = HostTensor.ofFloats(images.shape(), images.toFloats());
        Map<String, HostTensor> out;
        try (OnnxSession s = OrtSessions.open(Repo.resolve("model-specs/graphs/" + spec + ".onnx"), OrtSessions.CPU)) {
            out = s.run(Map.of("images", asFloat));
        }
        for (String name : expected.keySet()) {
            if (name.equals("labels")) {
                continue;
            }
            double d = maxAbs(expected.get(name).toFloats(), out.get(name).toFloats());
            assertTrue(d <= 1e-3, spec + " " + name + " differs from PyTorch eager by " + d);
        }
        long[] want = expected.get("labels").toLongs();
        long[] got = out.get("labels").toLongs();
        int same = 0;
        for (int i = 0; i < want.length; i++) {
            same += want[i] == got[i] ? 1 : 0;
        }
        assertEquals(want.length, same, spec + ": labels differ at " + (want.length - same) + " of " + want.length);
    }

    /**
     * The two-stage templates at sizes other than the fixture's (dynamic H and W: no spatial size may
     * have been frozen into the exported graph) and with two images: each image's detections and
     * masks in the batch are the ones it gets alone (RoIs pooled from their own image's features).
     */
    @ParameterizedTest
    @ValueSource(strings = {"faster_rcnn_tiny", "mask_rcnn_tiny"})
    void twoStageTemplateRunsAtOtherSizesImageByImage(String spec) throws Exception {
        try (OnnxSession s = OrtSessions.open(Repo.resolve("model-specs/graphs/" + spec + ".onnx"), OrtSessions.CPU)) {
            for (int[] hw : new int[][] {{96, 160}, {160, 96}}) {
                HostTensor both = pattern(2, hw[0], hw[1]);
                Map<String, HostTensor> batched = s.run(Map.of("images", both));
                assertArrayEquals(new long[] {2, 100, 5}, batched.get("dets").shape(), spec + " dets");
                assertArrayEquals(new long[] {2, 100}, batched.get("labels").shape(), spec + " labels");
                if (batched.containsKey("masks")) {
                    assertArrayEquals(new long[] {2, 100, 28, 28}, batched.get("masks").shape(), spec + " masks");
                }
                float[] all = both.toFloats();
                int per = all.length / 2;
                for (int b = 0; b < 2; b++) {
                    float[] one = Arrays.copyOfRange(all, b * per, (b + 1) * per);
                    Map<String, HostTensor> alone = s.run(Map.of("images", HostTensor.ofFloats(new long[] {1, 3, hw[0], hw[1]}, one)));
                    String what = spec + " " + hw[0] + "x" + hw[1] + " image " + b;
                    long[] la = alone.get("labels").toLongs();
                    long[] lb = batched.get("labels").toLongs();
                    assertArrayEquals(la, Arrays.copyOfRange(lb, b * la.length, (b + 1) * la.length), what + " labels");
                    assertTrue(la[0] >= 0, what + ": no detections (nothing compared)");
                    for (String name : batched.keySet()) {
                        if (name.equals("labels")) {
                            continue;
                        }
                        float[] a = alone.get(name).toFloats();
                        float[] t = Arrays.copyOfRange(batched.get(name).toFloats(), b * a.length, (b + 1) * a.length);
                        double d = maxAbs(a, t);
                        assertTrue(d <= 1e-4, what + " " + name + ": alone and in the batch differ by " + d);
                    }
                    float[] dets = alone.get("dets").toFloats();
                    for (int r = 0; r < la.length && la[r] >= 0; r++) {
                        assertTrue(dets[5 * r] >= 0 && dets[5 * r + 1] >= 0 && dets[5 * r + 2] <= hw[1] && dets[5 * r + 3] <= hw[0],
                                what + " row " + r + ": box outside the image");
                    }
                }
            }
        }
    }

    /** uint8-valued RGB pattern as float [n, 3, h, w]. */
    static HostTensor pattern(int n, int h, int w) {
        float[] v = new float[n * 3 * h * w];
        int i = 0;
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        v[i++] = (11 * x + 5 * y * y + 41 * c + 3 * b + (x ^ y)) % 256;
                    }
                }
            }
        }
        return HostTensor.ofFloats(new long[] {n, 3, h, w}, v);
    }

    static HostTensor normalise(HostTensor raw) {
        long[] s = raw.shape();
        float[] v = raw.toFloats();
        int plane = (int) (s[2] * s[3]);
        for (int i = 0; i < v.length; i++) {
            int c = (i / plane) % 3;
            v[i] = (v[i] - MEAN[c]) / STD[c];
        }
        return HostTensor.ofFloats(s, v);
    }

    static double maxAbs(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
