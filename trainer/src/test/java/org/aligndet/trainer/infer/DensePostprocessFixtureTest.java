package org.aligndet.trainer.infer;

import org.aligndet.trainer.family.DetectorFamily;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.tensor.TensorBundle;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Java post-processing on the template's raw head outputs reproduces the template's own detections
 * (PyTorch eager, {@code fixtures/NAME/onnx.tensors}): boxes and scores within 1e-4, labels equal.
 */
class DensePostprocessFixtureTest {
    static final ModelSpecs SPECS = ModelSpecs.locate();
    static final double TOL = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny"})
    void reproducesTheTemplatesDetections(String name) throws Exception {
        ModelSpec spec = SPECS.load(name);
        Map<String, HostTensor> fx = TensorBundle.read(SPECS.fixtures(name).resolve("onnx"));
        HeadMaps maps = HeadMaps.fromNamed(fx, spec.numLevels());
        int h = maps.cls().get(0).height() * spec.strides().get(0);
        int w = maps.cls().get(0).width() * spec.strides().get(0);
        List<Detections> got = DetectorFamily.dense(spec).postprocess().apply(maps, h, w);
        assertEquals(2, got.size());
        assertFixture(fx, got, name);
    }

    /** Compares detections with the fixture's {@code dets [N, K, 5]} and {@code labels [N, K]} (empty rows: label -1). */
    static void assertFixture(Map<String, HostTensor> fx, List<Detections> got, String what) {
        long[] shape = fx.get("dets").shape();
        int k = (int) shape[1];
        float[] dets = fx.get("dets").toFloats();
        long[] labels = fx.get("labels").toLongs();
        for (int n = 0; n < got.size(); n++) {
            Detections d = got.get(n);
            int valid = 0;
            while (valid < k && labels[n * k + valid] >= 0) {
                valid++;
            }
            assertEquals(valid, d.size(), what + " image " + n + ": number of detections");
            for (int r = 0; r < valid; r++) {
                String row = what + " image " + n + " row " + r;
                assertEquals(labels[n * k + r], d.labels()[r], row + " label");
                for (int q = 0; q < 4; q++) {
                    assertEquals(dets[(n * k + r) * 5 + q], d.boxes()[4 * r + q], TOL, row + " box[" + q + "]");
                }
                assertEquals(dets[(n * k + r) * 5 + 4], d.scores()[r], TOL, row + " score");
            }
            for (int r = 1; r < d.size(); r++) {
                assertTrue(d.scores()[r] <= d.scores()[r - 1], what + ": not sorted at " + r);
            }
        }
    }
}
