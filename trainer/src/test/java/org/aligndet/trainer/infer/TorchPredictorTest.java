package org.aligndet.trainer.infer;

import org.aligndet.trainer.family.DetectorFamily;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.tensor.TensorBundle;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.image.TestImages;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The committed tiny graphs through DJL with Java post-processing; mapping back to original pixels. */
class TorchPredictorTest {
    static final ModelSpecs SPECS = ModelSpecs.locate();

    static DenseDetector detector(String name) {
        ModelSpec spec = SPECS.load(name);
        return DetectorFamily.dense(spec).detector(TorchGraph.load(SPECS.graph(name), Device.cpu()));
    }

    @Test
    void boxesMapBackExactly() {
        ModelSpec spec = SPECS.load("retinanet_tiny"); // resize to (320, 256)
        Prepared p;
        try (Mat img = new Mat(100, 200, opencv_core.CV_8UC3, new Scalar(10, 20, 30, 0))) {
            p = Preprocessor.of(spec).prepare("a.png", img);
        }
        assertEquals(320, p.validWidth());
        assertEquals(160, p.validHeight());
        Detections in = new Detections("", Detections.NO_ID, new float[] {32, 16, 64, 48, 300, 150, 320, 160},
                new float[] {0.9f, 0.8f}, new int[] {3, 1});
        Detections out = TorchPredictor.toOriginal(in, p);
        assertEquals("a.png", out.key());
        assertEquals(2, out.size());
        assertArrayEquals(new float[] {20, 10, 40, 30}, out.box(0));
        assertArrayEquals(new float[] {187.5f, 93.75f, 200, 100}, out.box(1));
        assertArrayEquals(new int[] {3, 1}, out.labels());
        // 200x90 becomes 320x144 padded to 320x160: a box in the padding collapses to y = 90 and goes
        Prepared q = new Prepared("b.png", 200, 90, 320, 144, 320, 160, 1.6f, 1.6f, new float[3 * 320 * 160], new float[3 * 320 * 160]);
        Detections pad = new Detections("", Detections.NO_ID, new float[] {10, 150, 50, 158, 32, 16, 64, 48},
                new float[] {0.9f, 0.8f}, new int[] {0, 2});
        Detections kept = TorchPredictor.toOriginal(pad, q);
        assertEquals(1, kept.size());
        assertArrayEquals(new float[] {20, 10, 40, 30}, kept.box(0));
        assertArrayEquals(new int[] {2}, kept.labels());
    }

    @Test
    void predictsInsideEachOriginalImage(@TempDir Path dir) {
        try (DenseDetector det = detector("retinanet_tiny")) {
            Preprocessor pre = Preprocessor.of(det.spec());
            int[][] sizes = {{200, 100}, {150, 220}};
            List<Prepared> batch = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                Path f = TestImages.write(TestImages.scene(sizes[i][0], sizes[i][1], 3, i).image(), dir.resolve(i + ".png"));
                batch.add(pre.prepare(f));
            }
            det.graph().setTraining(true);
            // the committed graph's head starts at the focal prior (scores near 0.01): lower the threshold
            DensePostprocess post = DetectorFamily.dense(det.spec()).postprocess().withConfig(new PostprocessConfig(1000, 0.001f, 0.5, 100));
            TorchPredictor.Prediction pred = new TorchPredictor(det, post).predict(batch);
            assertTrue(det.graph().isTraining(), "mode restored");
            assertEquals(Math.max(batch.get(0).paddedHeight(), batch.get(1).paddedHeight()), pred.inputHeight());
            assertEquals(Math.max(batch.get(0).paddedWidth(), batch.get(1).paddedWidth()), pred.inputWidth());
            assertEquals(2, pred.raw().batch());
            assertEquals(pred.inputHeight() / 8, pred.raw().cls().get(0).height());
            int total = 0;
            for (int i = 0; i < batch.size(); i++) {
                Detections d = pred.detections().get(i);
                assertEquals(i + ".png", d.key());
                assertTrue(d.size() <= 100);
                total += d.size();
                for (int r = 0; r < d.size(); r++) {
                    float[] b = d.box(r);
                    assertTrue(b[0] >= 0 && b[1] >= 0 && b[2] <= sizes[i][0] && b[3] <= sizes[i][1], "inside: " + List.of(b));
                    assertTrue(b[2] > b[0] && b[3] > b[1]);
                    assertTrue(d.labels()[r] >= 0 && d.labels()[r] < det.spec().numClasses());
                    assertTrue(r == 0 || d.scores()[r] <= d.scores()[r - 1]);
                }
            }
            assertTrue(total > 0, "some detections above 0.001");
            assertFalse(pred.raw().toNamed().isEmpty());
        }
    }

    /**
     * DJL's head outputs on the fixture input match the graph fixture (PyTorch eager), and Java
     * post-processing gives the same detections from either (threshold lowered so that the committed
     * graph's near-prior scores pass).
     */
    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny"})
    void rawOutputsMatchTheGraphFixture(String name) throws Exception {
        Map<String, HostTensor> fx = TensorBundle.read(SPECS.fixtures(name).resolve("graph"));
        long[] s = fx.get("input").shape();
        int h = (int) s[2], w = (int) s[3];
        try (DenseDetector det = detector(name)) {
            PostprocessConfig low = new PostprocessConfig(1000, 0.001f, DetectorFamily.dense(det.spec()).postprocess().config().nmsIou(), 100);
            TorchPredictor predictor = new TorchPredictor(det, DetectorFamily.dense(det.spec()).postprocess().withConfig(low));
            HeadMaps raw = predictor.forward(fx.get("input").toFloats(), (int) s[0], h, w);
            int levels = det.spec().numLevels();
            Map<String, HostTensor> want = new LinkedHashMap<>();
            for (int l = 0; l < levels; l++) {
                want.put(HeadMaps.CLS + l, fx.get("classify." + l));
                want.put(HeadMaps.BOX + l, fx.get("head.box_out." + l));
                if (fx.containsKey("head.centerness." + l)) {
                    want.put(HeadMaps.CENTERNESS + l, fx.get("head.centerness." + l));
                }
            }
            Map<String, HostTensor> got = raw.toNamed();
            assertEquals(want.keySet(), got.keySet());
            for (var e : got.entrySet()) {
                float[] a = e.getValue().toFloats(), b = want.get(e.getKey()).toFloats();
                assertArrayEquals(want.get(e.getKey()).shape(), e.getValue().shape(), e.getKey());
                for (int i = 0; i < a.length; i++) {
                    assertEquals(b[i], a[i], 1e-4 * (1 + Math.abs(b[i])), e.getKey() + "[" + i + "]");
                }
            }
            List<Detections> fromDjl = predictor.postprocess().apply(raw, h, w);
            List<Detections> fromFixture = predictor.postprocess().apply(HeadMaps.fromNamed(want, levels), h, w);
            for (int n = 0; n < fromDjl.size(); n++) {
                Detections a = fromDjl.get(n), b = fromFixture.get(n);
                assertEquals(b.size(), a.size());
                assertTrue(a.size() > 0);
                assertSameDetections(b, a, name + " image " + n);
            }
        }
    }

    /**
     * Equal as sets: each expected detection has its own counterpart with the same label, a score
     * within 1e-5 and a box within 1e-3 px. Raw outputs agree to 1e-4, so detections whose scores tie
     * to that precision may come out in either order.
     */
    static void assertSameDetections(Detections want, Detections got, String what) {
        boolean[] used = new boolean[got.size()];
        for (int i = 0; i < want.size(); i++) {
            int match = -1;
            for (int j = 0; j < got.size() && match < 0; j++) {
                if (!used[j] && got.labels()[j] == want.labels()[i] && Math.abs(got.scores()[j] - want.scores()[i]) <= 1e-5f
                        && boxWithin(want.boxes(), i, got.boxes(), j, 1e-3f)) {
                    match = j;
                }
            }
            int k = i;
            assertTrue(match >= 0, () -> what + ": detection " + k + " (label " + want.labels()[k] + ", score " + want.scores()[k]
                    + ") has no counterpart");
            used[match] = true;
        }
    }

    private static boolean boxWithin(float[] a, int i, float[] b, int j, float tol) {
        for (int c = 0; c < 4; c++) {
            if (Math.abs(a[4 * i + c] - b[4 * j + c]) > tol) {
                return false;
            }
        }
        return true;
    }
}
