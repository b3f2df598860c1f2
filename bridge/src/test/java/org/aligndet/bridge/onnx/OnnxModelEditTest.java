package org.aligndet.bridge.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.onnx.proto.OnnxProto.AttributeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.ModelProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.NodeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorProto;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.Half;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips and edits: save/load, metadata, replace, fill, subgraph initializers, typed fields. */
class OnnxModelEditTest {
    @TempDir
    Path tmp;

    private static OnnxModel tiny() {
        return OnnxModel.load(Fixtures.tinyNet());
    }

    @Test
    void writeReproducesTheTorchExportByteForByte() throws Exception {
        byte[] original = Files.readAllBytes(Fixtures.tinyNet());
        OnnxModel m = OnnxModel.fromBytes(original, "tiny");
        assertArrayEquals(original, m.toBytes());
        Path out = tmp.resolve("sub/copy.onnx");
        m.save(out);
        assertEquals(m.proto(), OnnxModel.load(out).proto());
        try (var files = Files.list(out.getParent())) {
            assertEquals(List.of(out.getFileName()), files.map(Path::getFileName).toList(), "no temp file left");
        }
    }

    @Test
    void unknownFieldsSurviveARoundTrip() {
        ModelProto base = tiny().proto();
        UnknownFieldSet extra = UnknownFieldSet.newBuilder()
                .addField(999, UnknownFieldSet.Field.newBuilder().addVarint(42).build())
                .addField(998, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("future")).build())
                .build();
        ModelProto.Builder b = base.toBuilder().setUnknownFields(extra);
        b.getGraphBuilder().getNodeBuilder(0).setUnknownFields(extra);
        byte[] bytes = b.build().toByteArray();
        OnnxModel m = OnnxModel.fromBytes(bytes, "with-unknowns");
        m.putMetadata(Map.of("k", "v")); // an edit elsewhere must not drop them
        ModelProto back = m.proto();
        assertEquals(42L, back.getUnknownFields().getField(999).getVarintList().get(0));
        assertEquals("future", back.getGraph().getNode(0).getUnknownFields().getField(998)
                .getLengthDelimitedList().get(0).toStringUtf8());
        assertTrue(OnnxModel.fromBytes(m.toBytes(), "again").proto().getUnknownFields().hasField(999));
    }

    @Test
    void metadataWrittenThenReadBack() throws Exception {
        OnnxModel m = tiny();
        Map<String, String> first = new LinkedHashMap<>();
        first.put("aligndet.version", "0.1.0");
        first.put("classes", "person,car");
        m.putMetadata(first);
        m.putMetadata(Map.of("classes", "dog"));
        Path out = tmp.resolve("meta.onnx");
        m.save(out);
        Map<String, String> back = OnnxModel.load(out).metadata();
        assertEquals(List.of("aligndet.version", "classes"), List.copyOf(back.keySet()));
        assertEquals("dog", back.get("classes"));
        assertEquals("0.1.0", back.get("aligndet.version"));
    }

    @Test
    void replaceInitializerThenReadBack() throws Exception {
        OnnxModel m = tiny();
        HostTensor bias = HostTensor.ofFloats(new long[] {6}, 1, 2, 3, 4, 5, 6);
        m.replaceInitializer("fc.bias", bias);
        Path out = tmp.resolve("replaced.onnx");
        m.save(out);
        OnnxModel back = OnnxModel.load(out);
        assertEquals(bias, back.initializer("fc.bias"));
        TensorProto t = back.proto().getGraph().getInitializerList().stream()
                .filter(i -> i.getName().equals("fc.bias")).findFirst().orElseThrow();
        assertTrue(t.hasRawData());
        assertEquals(0, t.getFloatDataCount());
        assertEquals(tiny().initializer("fc.weight"), back.initializer("fc.weight"));
    }

    @Test
    void replaceWithWrongShapeNamesInitializerAndBothShapes() {
        OnnxModel m = tiny();
        var e = assertThrows(OnnxFormatException.class,
                () -> m.replaceInitializer("fc.weight", HostTensor.ofFloats(new long[] {4, 6}, new float[24])));
        assertTrue(e.getMessage().contains("fc.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("[6, 4]") && e.getMessage().contains("[4, 6]"), e.getMessage());
        assertTrue(e.getMessage().startsWith(Fixtures.tinyNet().toString()), e.getMessage());
        assertThrows(OnnxFormatException.class,
                () -> m.replaceInitializer("nope", HostTensor.ofFloats(new long[] {1}, 1)));
        assertEquals(tiny().proto(), m.proto(), "failed replace leaves the model unchanged");
    }

    @Test
    void fillReportsMissingUnusedAndMismatched() {
        OnnxModel m = tiny();
        Map<String, HostTensor> values = new LinkedHashMap<>();
        for (InitializerInfo i : m.initializers()) {
            values.put(i.name(), m.initializer(i.name()));
        }
        assertTrue(m.fillInitializers(values).isComplete());

        HostTensor newBias = HostTensor.ofFloats(new long[] {6}, 6, 5, 4, 3, 2, 1);
        values.remove("bn.running_mean");
        values.put("fc.bias", newBias);
        values.put("head.extra", HostTensor.ofFloats(new long[] {1}, 0));
        values.put("conv.bias", HostTensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4));
        values.put("bn.weight", HostTensor.ofLongs(new long[] {4}, 1, 2, 3, 4));
        FillReport r = m.fillInitializers(values);
        assertFalse(r.isComplete());
        assertEquals(List.of("bn.running_mean"), r.missing());
        assertEquals(List.of("head.extra"), r.unused());
        assertEquals(List.of("bn.weight", "conv.bias"), List.copyOf(new java.util.TreeSet<>(r.mismatched().keySet())));
        assertTrue(r.mismatched().get("conv.bias").contains("float32[4]")
                && r.mismatched().get("conv.bias").contains("float32[2, 2]"), r.describe());
        assertTrue(r.mismatched().get("bn.weight").contains("int64[4]"), r.describe());
        assertEquals(5, r.filled().size(), r.describe());
        assertEquals(newBias, m.initializer("fc.bias"));
        assertEquals(tiny().initializer("conv.bias"), m.initializer("conv.bias"));
    }

    /** The fixture's If branches hold no initializers, so plant one and check it is found and filled. */
    @Test
    void initializersInsideSubgraphsAreListedAndFilled() {
        ModelProto.Builder b = tiny().proto().toBuilder();
        NodeProto.Builder ifNode = b.getGraphBuilder().getNodeBuilderList().stream()
                .filter(n -> n.getOpType().equals("If")).findFirst().orElseThrow();
        AttributeProto.Builder elseBranch = ifNode.getAttributeBuilderList().stream()
                .filter(a -> a.getName().equals("else_branch")).findFirst().orElseThrow();
        elseBranch.getGBuilder().addInitializer(
                TensorProtos.of("nms.iou", HostTensor.ofFloats(new long[] {1}, 0.3f)));
        OnnxModel m = OnnxModel.fromBytes(b.build().toByteArray(), "planted");
        InitializerInfo info = m.initializers().stream().filter(InitializerInfo::inSubgraph).findFirst().orElseThrow();
        assertEquals("nms.iou", info.name());
        assertEquals(ifNode.getName() + "/else_branch", info.graph());
        m.replaceInitializer("nms.iou", HostTensor.ofFloats(new long[] {1}, 0.5f));
        assertEquals(0.5f, m.initializer("nms.iou").toFloats()[0]);
        FillReport r = m.fillInitializers(Map.of());
        assertTrue(r.missing().contains("nms.iou"));
        assertEquals(9, r.missing().size());
    }

    @Test
    void typedDataFieldsDecode() {
        TensorProto f = TensorProto.newBuilder().setName("f").setDataType(1).addDims(2)
                .addFloatData(1.5f).addFloatData(-2f).build();
        assertArrayEquals(new float[] {1.5f, -2f}, TensorProtos.toHost(f, "x").toFloats());
        TensorProto h = TensorProto.newBuilder().setName("h").setDataType(10).addDims(2)
                .addInt32Data(Half.fromFloat(0.25f) & 0xffff).addInt32Data(Half.fromFloat(-3f) & 0xffff).build();
        HostTensor ht = TensorProtos.toHost(h, "x");
        assertEquals(DType.FLOAT16, ht.dtype());
        assertArrayEquals(new float[] {0.25f, -3f}, ht.toFloats());
        TensorProto bf = TensorProto.newBuilder().setName("bf").setDataType(16).addDims(1)
                .addInt32Data(Float.floatToIntBits(2f) >>> 16).build();
        assertArrayEquals(new float[] {2f}, TensorProtos.toHost(bf, "x").toFloats());
        TensorProto l = TensorProto.newBuilder().setName("l").setDataType(7).addDims(3)
                .addInt64Data(1).addInt64Data(-2).addInt64Data(1L << 40).build();
        assertArrayEquals(new long[] {1, -2, 1L << 40}, TensorProtos.toHost(l, "x").toLongs());
        TensorProto d = TensorProto.newBuilder().setName("d").setDataType(11).addDims(1).addDoubleData(0.1).build();
        assertEquals(0.1, TensorProtos.toHost(d, "x").buffer().getDouble(0));
        TensorProto u8 = TensorProto.newBuilder().setName("u").setDataType(2).addDims(2)
                .addInt32Data(200).addInt32Data(7).build();
        assertArrayEquals(new long[] {200, 7}, TensorProtos.toHost(u8, "x").toLongs());
        TensorProto scalar = TensorProto.newBuilder().setName("s").setDataType(1).addFloatData(9f).build();
        assertArrayEquals(new long[0], TensorProtos.toHost(scalar, "x").shape());

        TensorProto shortData = f.toBuilder().addDims(2).build();
        var e = assertThrows(OnnxFormatException.class, () -> TensorProtos.toHost(shortData, "m.onnx"));
        assertTrue(e.getMessage().startsWith("m.onnx: initializer 'f'"), e.getMessage());
        TensorProto strings = TensorProto.newBuilder().setName("str").setDataType(8).build();
        assertThrows(OnnxFormatException.class, () -> TensorProtos.toHost(strings, "m.onnx"));
        TensorProto external = f.toBuilder().setDataLocation(TensorProto.DataLocation.EXTERNAL).build();
        assertThrows(OnnxFormatException.class, () -> TensorProtos.toHost(external, "m.onnx"));
    }

    @Test
    void writeClearsTypedFields() {
        TensorProto.Builder f = TensorProto.newBuilder().setName("f").setDataType(1).addDims(2)
                .addFloatData(1.5f).addFloatData(-2f);
        HostTensor v = HostTensor.ofFloats(new long[] {2}, 7, 8);
        TensorProtos.write(f, v);
        assertEquals(0, f.getFloatDataCount());
        assertEquals("f", f.getName());
        assertEquals(v, TensorProtos.toHost(f.build(), "x"));
        assertNotEquals(0, f.getRawData().size());
    }
}
