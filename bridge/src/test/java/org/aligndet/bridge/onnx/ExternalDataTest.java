package org.aligndet.bridge.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.aligndet.bridge.onnx.proto.OnnxProto.AttributeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.ModelProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.NodeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.StringStringEntryProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorProto;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile ONNX file cannot make the project read a file outside the model's folder through a
 * tensor's external data; external data inside the folder still loads and runs.
 */
class ExternalDataTest {
    @TempDir
    Path tmp;

    /** {@link HandBuiltModelTest#model()} with initializer {@code w} (int64 [3]) kept in {@code location}. */
    private Path modelWithExternalW(String location) throws IOException {
        ModelProto.Builder m = HandBuiltModelTest.model().toBuilder();
        TensorProto.Builder w = m.getGraphBuilder().getInitializerBuilder(0);
        w.clearInt64Data().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location)).addExternalData(entry("offset", "0"))
                .addExternalData(entry("length", "24"));
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Path file = dir.resolve("hand.onnx");
        Files.write(file, m.build().toByteArray());
        return file;
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private static void assertRefused(Path model, String location) {
        for (Runnable open : new Runnable[] {() -> OnnxModel.load(model), () -> OrtSessions.open(model, OrtSessions.CPU).close()}) {
            OnnxFormatException e = assertThrows(OnnxFormatException.class, open::run);
            assertTrue(e.getMessage().startsWith(model + ": tensor 'w' keeps its data in '" + location + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("external data must lie in the model's own folder"), e.getMessage());
        }
    }

    @Test
    void absolutePathsAreRefused() throws IOException {
        assertRefused(modelWithExternalW("/etc/passwd"), "/etc/passwd");
    }

    @Test
    void parentSegmentsAreRefused() throws IOException {
        Files.write(tmp.resolve("secret.bin"), new byte[24]);
        assertRefused(modelWithExternalW("../secret.bin"), "../secret.bin");
        assertRefused(modelWithExternalW("sub/../../secret.bin"), "sub/../../secret.bin");
    }

    @Test
    void linksLeavingTheFolderAreRefused() throws IOException {
        Path secret = Files.write(tmp.resolve("secret.bin"), new byte[24]);
        Path model = modelWithExternalW("w.bin");
        Files.createSymbolicLink(model.resolveSibling("w.bin"), secret);
        assertRefused(model, "w.bin");
    }

    @Test
    void constantNodesWithExternalTensorsAreRefusedToo() throws IOException {
        ModelProto.Builder m = HandBuiltModelTest.model().toBuilder();
        m.getGraphBuilder().addNode(NodeProto.newBuilder().setOpType("Constant").setName("c").addOutput("c_out")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(TensorProto.newBuilder().setName("c_value").setDataType(7).addDims(1)
                                .setDataLocation(TensorProto.DataLocation.EXTERNAL).addExternalData(entry("location", "/etc/hostname")))));
        Path file = Files.write(tmp.resolve("const.onnx"), m.build().toByteArray());
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(file));
        assertTrue(e.getMessage().contains("tensor 'c_value' keeps its data in '/etc/hostname'"), e.getMessage());
    }

    @Test
    void externalDataInsideTheFolderLoadsAndRuns() throws IOException {
        Path model = modelWithExternalW("weights/w.bin");
        ByteBuffer w = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(10).putLong(20).putLong(30);
        Files.createDirectories(model.resolveSibling("weights"));
        Files.write(model.resolveSibling("weights/w.bin"), w.array());
        OnnxModel.load(model);
        try (OnnxSession s = OrtSessions.open(model, OrtSessions.CPU)) {
            HostTensor y = s.run(Map.of("x", HostTensor.ofLongs(new long[] {3}, 1, 2, 3),
                    "h", new HostTensor(DType.FLOAT16, new long[] {1}, new byte[2]))).get("y");
            assertArrayEquals(new long[] {11, 22, 33}, y.toLongs());
        }
    }
}
