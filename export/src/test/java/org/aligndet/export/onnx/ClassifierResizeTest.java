package org.aligndet.export.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.ValueSpec;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/**
 * The template's classifier resized for another number of classes ({@link ClassifierResize}), run
 * through ONNX Runtime: a 20-class template whose classifier holds the 8-class weights in classes
 * 12..19 (and bias -60 on classes 0..11, which never pass the score threshold) detects exactly what
 * the 8-class template detects, boxes and scores bit for bit, every label shifted by 12; and its raw
 * classification outputs carry the 8-class ones in those channels. Both templates are
 * RetinaNet's, 9 anchors per location, so the channel of class k at anchor a is {@code a * K + k}.
 */
class ClassifierResizeTest {
    static final String W = "bbox_head.retina_cls.weight";
    static final String B = "bbox_head.retina_cls.bias";
    static final int A = 9;
    static final int K0 = 8;
    static final int K = 20;
    static final int SHIFT = 12;

    @Test
    void aTwentyClassTemplateDetectsWhatTheEightClassOneDoesWithLabelsShifted() {
        Map<String, HostTensor> weights = TinyCheckpoints.perturbedWeights();
        OnnxModel eight = OnnxModel.load(TinyCheckpoints.specs().onnxTemplate(TinyCheckpoints.SPEC));
        eight.fillInitializers(weights);

        OnnxModel twenty = OnnxModel.load(TinyCheckpoints.specs().onnxTemplate(TinyCheckpoints.SPEC));
        assertEquals(K0, ClassifierResize.apply(twenty, W, B, A, K));
        assertArrayEquals(new long[] {A * K, 64, 3, 3}, twenty.initializer(W).shape());
        HostTensor w0 = weights.get(W);
        float[] wv0 = w0.toFloats();
        float[] bv0 = weights.get(B).toFloats();
        int per = 64 * 9;
        float[] wv = new float[A * K * per];
        float[] bv = new float[A * K];
        java.util.Arrays.fill(bv, -60f);
        for (int a = 0; a < A; a++) {
            for (int k = 0; k < K0; k++) {
                System.arraycopy(wv0, (a * K0 + k) * per, wv, (a * K + k + SHIFT) * per, per);
                bv[a * K + k + SHIFT] = bv0[a * K0 + k];
            }
        }
        Map<String, HostTensor> w20 = new LinkedHashMap<>(weights);
        w20.put(W, HostTensor.ofFloats(new long[] {A * K, 64, 3, 3}, wv));
        w20.put(B, HostTensor.ofFloats(new long[] {A * K}, bv));
        var fill = twenty.fillInitializers(w20);
        assertTrue(fill.mismatched().isEmpty() && fill.unused().isEmpty(), fill.describe());
        for (ValueSpec o : twenty.outputs()) {
            if (o.name().startsWith("cls_score_")) {
                assertEquals("" + A * K, o.dims().get(1), o.toString());
            }
        }

        HostTensor x = OnnxExporterTest.pattern(128, 160);
        Map<String, HostTensor> r8 = OnnxExporterTest.run(eight, x);
        Map<String, HostTensor> r20 = OnnxExporterTest.run(twenty, x);
        float[] d8 = r8.get("dets").toFloats();
        long[] l8 = r8.get("labels").toLongs();
        long[] l20 = r20.get("labels").toLongs();
        assertTrue(java.util.Arrays.stream(l8).filter(l -> l >= 0).count() > 10, "the 8-class template detects");
        assertArrayEquals(d8, r20.get("dets").toFloats(), "boxes and scores");
        for (int i = 0; i < l8.length; i++) {
            assertEquals(l8[i] < 0 ? -1 : l8[i] + SHIFT, l20[i], "label " + i);
        }
        // raw outputs: class k of anchor a at channel a*K0+k there, a*K+k+SHIFT here
        for (int lvl = 0; lvl < 5; lvl++) {
            HostTensor c8 = r8.get("cls_score_" + lvl);
            HostTensor c20 = r20.get("cls_score_" + lvl);
            long[] s = c8.shape();
            assertArrayEquals(new long[] {s[0], A * K, s[2], s[3]}, c20.shape());
            float[] v8 = c8.toFloats();
            float[] v20 = c20.toFloats();
            int hw = (int) (s[2] * s[3]);
            for (int a = 0; a < A; a++) {
                for (int k = 0; k < K0; k++) {
                    for (int p = 0; p < hw; p++) {
                        assertEquals(v8[(a * K0 + k) * hw + p], v20[(a * K + k + SHIFT) * hw + p], 0f);
                    }
                }
            }
        }
    }

    @Test
    void resizingToTheSameNumberOfClassesChangesNothing() {
        OnnxModel m = OnnxModel.load(TinyCheckpoints.specs().onnxTemplate(TinyCheckpoints.SPEC));
        byte[] before = m.toBytes();
        assertEquals(K0, ClassifierResize.apply(m, W, B, A, K0));
        assertArrayEquals(before, m.toBytes());
    }

    @Test
    void theFcosTemplateResizesToo() {
        OnnxModel m = OnnxModel.load(TinyCheckpoints.specs().onnxTemplate("fcos_tiny"));
        assertEquals(K0, ClassifierResize.apply(m, "bbox_head.conv_cls.weight", "bbox_head.conv_cls.bias", 1, 3));
        HostTensor x = OnnxExporterTest.pattern(96, 128);
        Map<String, HostTensor> r = OnnxExporterTest.run(m, x);
        assertArrayEquals(new long[] {1, 3, 12, 16}, r.get("cls_score_0").shape());
        for (long l : r.get("labels").toLongs()) {
            assertTrue(l < 3, "label " + l + " of 3 classes");
        }
    }
}
