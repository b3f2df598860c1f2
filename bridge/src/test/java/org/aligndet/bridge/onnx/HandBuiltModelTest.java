package org.aligndet.bridge.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.onnx.proto.OnnxProto.GraphProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.ModelProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.NodeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorShapeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TypeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.ValueInfoProto;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.Half;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/**
 * A model written from scratch with this project's schema is accepted by ONNX Runtime, and
 * non-float32 tensors (int64, float16) pass through the run helper in both directions.
 */
class HandBuiltModelTest {

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

    static ModelProto model() {
        GraphProto g = GraphProto.newBuilder().setName("hand")
                .addNode(NodeProto.newBuilder().setOpType("Add").setName("add").addInput("x").addInput("w").addOutput("y"))
                .addNode(NodeProto.newBuilder().setOpType("Identity").setName("id").addInput("h").addOutput("h_out"))
                // typed int64_data, as some exporters write small tensors
                .addInitializer(TensorProto.newBuilder().setName("w").setDataType(7).addDims(3)
                        .addInt64Data(10).addInt64Data(20).addInt64Data(1L << 40))
                .addInput(value("x", DType.INT64, 3))
                .addInput(value("h", DType.FLOAT16, "N"))
                .addOutput(value("y", DType.INT64, 3))
                .addOutput(value("h_out", DType.FLOAT16, "N"))
                .build();
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("aligndet-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(g).build();
    }

    private static HostTensor halves(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort(Half.fromFloat(f));
        }
        return new HostTensor(DType.FLOAT16, new long[] {v.length}, b.array());
    }

    @Test
    void int64AndFloat16RunThroughOrt() {
        OnnxModel m = OnnxModel.of(model(), "hand.onnx");
        assertEquals("[x int64 [3], h float16 [N]]", m.inputs().toString());
        assertArrayEquals(new long[] {10, 20, 1L << 40}, m.initializer("w").toLongs());
        try (OnnxSession s = OrtSessions.open(m.toBytes(), "hand.onnx", OrtSessions.CPU)) {
            Map<String, HostTensor> out = s.run(Map.of(
                    "x", HostTensor.ofLongs(new long[] {3}, 1, 2, 3),
                    "h", halves(0.5f, -2f)));
            assertEquals(List.of("y", "h_out"), List.copyOf(out.keySet()));
            assertArrayEquals(new long[] {11, 22, (1L << 40) + 3}, out.get("y").toLongs());
            assertEquals(halves(0.5f, -2f), out.get("h_out"));
        }
    }

    @Test
    void replacingTypedInitializerStoresRawDataAndOrtSeesIt() {
        OnnxModel m = OnnxModel.of(model(), "hand.onnx");
        m.replaceInitializer("w", HostTensor.ofLongs(new long[] {3}, -1, -1, -1));
        TensorProto w = m.proto().getGraph().getInitializer(0);
        assertEquals(0, w.getInt64DataCount());
        assertEquals(24, w.getRawData().size());
        try (OnnxSession s = OrtSessions.open(m.toBytes(), "hand.onnx", OrtSessions.CPU)) {
            HostTensor y = s.run(Map.of("x", HostTensor.ofLongs(new long[] {3}, 1, 2, 3),
                    "h", halves(1f))).get("y");
            assertArrayEquals(new long[] {0, 1, 2}, y.toLongs());
        }
    }
}
