package org.aligndet.export.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.bridge.onnx.OnnxFormatException;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.bridge.onnx.TensorProtos;
import org.aligndet.bridge.onnx.proto.OnnxProto.AttributeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.GraphProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.ModelProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.NodeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorShapeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TypeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.ValueInfoProto;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.export.onnx.ExportMetadata;
import org.aligndet.trainer.infer.Detections;
import org.aligndet.trainer.infer.Prepared;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * The predictor's own work around {@code session.run}, against a hand-built model whose
 * {@code dets} and {@code labels} are constants: boxes back in original coordinates (hand-computed),
 * empty rows dropped, batch padding with the mean colour, and model validation.
 */
class OnnxPredictorTest {
    static final float[] MEAN = {123.675f, 116.28f, 103.53f};

    @TempDir
    Path dir;

    /**
     * Image A is 200x100 and image B 100x200; at scale (320, 256) both resize by 1.6 (A to 320x160,
     * B to 160x320), and the batch is padded to 320x320. Rows are in input pixels.
     */
    static final float[] DETS = {
        // image A: a plain box; one that runs into the padding (clipped); an empty row; a zero-score row
        32, 16, 64, 48, 0.9f, 300, 100, 400, 200, 0.8f, 0, 0, 0, 0, 0, 1, 1, 2, 2, 0,
        // image B: one box, then empty rows
        16, 32, 48, 64, 0.7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static final long[] LABELS = {2, 0, -1, 1, 5, -1, -1, -1};

    @Test
    void boxesMapBackToOriginalCoordinatesExactly() {
        try (OnnxPredictor p = OnnxPredictor.open(OnnxModel.of(constantModel(true), "fake.onnx"), OrtSessions.CPU)) {
            Prepared a = prepare(p, "a", 200, 100);
            Prepared b = prepare(p, "b", 100, 200);
            assertEquals(320, a.validWidth());
            assertEquals(160, a.validHeight());
            assertEquals(160, b.validWidth());
            assertEquals(320, b.validHeight());
            List<Detections> out = p.predict(List.of(a, b));
            assertArrayEquals(new float[] {20, 10, 40, 30, 187.5f, 62.5f, 200, 100}, out.get(0).boxes());
            assertArrayEquals(new float[] {0.9f, 0.8f}, out.get(0).scores());
            assertArrayEquals(new int[] {2, 0}, out.get(0).labels());
            assertEquals("a", out.get(0).key());
            assertEquals(Detections.NO_ID, out.get(0).imageId());
            assertArrayEquals(new float[] {10, 20, 30, 40}, out.get(1).boxes());
            assertArrayEquals(new float[] {0.7f}, out.get(1).scores());
            assertArrayEquals(new int[] {5}, out.get(1).labels());
            assertEquals(List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"), p.classes());
        }
    }

    @Test
    void batchesArePaddedBottomRightWithTheMeanColour() {
        try (OnnxPredictor p = OnnxPredictor.open(OnnxModel.of(constantModel(true), "fake.onnx"), OrtSessions.CPU)) {
            Prepared a = prepare(p, "a", 200, 100);
            Prepared b = prepare(p, "b", 100, 200);
            FloatBuffer in = p.assemble(List.of(a, b), 320, 320);
            assertEquals(2 * 3 * 320 * 320, in.remaining());
            int plane = 320 * 320;
            for (int c = 0; c < 3; c++) {
                assertEquals(a.raw()[c * 160 * 320 + 5 * 320 + 7], in.get(c * plane + 5 * 320 + 7), "A inside");
                assertEquals(MEAN[c], in.get(c * plane + 200 * 320 + 7), 1e-4, "A below its padding");
                assertEquals(b.raw()[c * 320 * 160 + 300 * 160 + 100], in.get(3 * plane + c * plane + 300 * 320 + 100), "B inside");
                assertEquals(MEAN[c], in.get(3 * plane + c * plane + 300 * 320 + 200), 1e-4, "B right of its padding");
            }
        }
    }

    @Test
    void aModelWithoutDetectorOutputsIsRefusedNamingIt() {
        ModelProto m = constantModel(true);
        ModelProto renamed = m.toBuilder().setGraph(m.getGraph().toBuilder().setOutput(0,
                m.getGraph().getOutput(0).toBuilder().setName("boxes"))).build();
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxPredictor.open(OnnxModel.of(renamed, "other.onnx"), OrtSessions.CPU));
        assertTrue(e.getMessage().startsWith("other.onnx: expected output 'dets'"), e.getMessage());
    }

    @Test
    void aModelWithoutExportMetadataIsRefusedNamingIt() {
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxPredictor.open(OnnxModel.of(constantModel(false), "bare.onnx"), OrtSessions.CPU));
        assertTrue(e.getMessage().startsWith("bare.onnx: cannot serve this model: metadata 'aligndet.format_version' is missing"),
                e.getMessage());
    }

    static Prepared prepare(OnnxPredictor p, String key, int w, int h) {
        try (Mat img = new Mat(h, w, CV_8UC3, new Scalar(10, 200, 90, 0))) {
            return p.preprocessor().prepare(key, img);
        }
    }

    /** images [N,3,H,W] (unused) → constant dets [2,4,5] and labels [2,4], with export metadata when asked. */
    static ModelProto constantModel(boolean withMetadata) {
        GraphProto g = GraphProto.newBuilder().setName("constant")
                .addNode(constant("dets", HostTensor.ofFloats(new long[] {2, 4, 5}, DETS)))
                .addNode(constant("labels", HostTensor.ofLongs(new long[] {2, 4}, LABELS)))
                .addInput(value("images", DType.FLOAT32, "N", 3, "H", "W"))
                .addOutput(value("dets", DType.FLOAT32, "N", 4, 5))
                .addOutput(value("labels", DType.INT64, "N", 4))
                .build();
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(7).setProducerName("aligndet-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g);
        if (withMetadata) {
            ExportMetadata meta = new ExportMetadata("fake", List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"),
                    new ExportMetadata.Preprocessing(MEAN, new float[] {58.395f, 57.12f, 57.375f}, 320, 256, 32),
                    "none.pth", "0".repeat(64), new ExportMetadata.Provenance(null, null, null, null));
            OnnxModel om = OnnxModel.of(m.build(), "fake");
            om.putMetadata(meta.toProps());
            return om.proto();
        }
        return m.build();
    }

    private static NodeProto constant(String out, HostTensor value) {
        return NodeProto.newBuilder().setOpType("Constant").setName(out + "_const").addOutput(out)
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(TensorProtos.of(out, value)))
                .build();
    }

    private static ValueInfoProto value(String name, DType t, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            var dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(t.onnxCode()).setShape(shape))).build();
    }
}
