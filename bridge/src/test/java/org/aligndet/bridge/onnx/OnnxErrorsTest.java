package org.aligndet.bridge.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.aligndet.bridge.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gives an OnnxFormatException whose message starts with the file. */
class OnnxErrorsTest {
    @TempDir
    Path tmp;

    private static void assertNames(Path file, OnnxFormatException e, String fragment) {
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertEquals(file.toString(), e.source());
    }

    @Test
    void missingFile() {
        Path f = tmp.resolve("absent.onnx");
        assertNames(f, assertThrows(OnnxFormatException.class, () -> OnnxModel.load(f)), "no such ONNX file");
        assertNames(f, assertThrows(OnnxFormatException.class, () -> OrtSessions.open(f, OrtSessions.CPU)),
                "no such ONNX file");
    }

    @Test
    void garbageBytes() throws Exception {
        Path f = tmp.resolve("garbage.onnx");
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        Files.write(f, junk);
        assertNames(f, assertThrows(OnnxFormatException.class, () -> OnnxModel.load(f)), "not an ONNX model");
    }

    @Test
    void textAndEmptyAndZipFiles() throws Exception {
        Path text = tmp.resolve("notes.onnx");
        Files.writeString(text, "hello, this is not a model\n", StandardCharsets.UTF_8);
        assertNames(text, assertThrows(OnnxFormatException.class, () -> OnnxModel.load(text)), "not an ONNX model");
        Path empty = tmp.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        assertNames(empty, assertThrows(OnnxFormatException.class, () -> OnnxModel.load(empty)), "empty file");
        Path zip = tmp.resolve("model.pt");
        Files.write(zip, new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 0, 0});
        assertNames(zip, assertThrows(OnnxFormatException.class, () -> OnnxModel.load(zip)), "zip archive");
    }

    @Test
    void ortRejectsGarbageWithTheFileName() throws Exception {
        Path f = tmp.resolve("junk.onnx");
        Files.writeString(f, "definitely not onnx");
        assertNames(f, assertThrows(OnnxFormatException.class, () -> OrtSessions.open(f, OrtSessions.CPU)),
                "not an ONNX model");
        Path unknownOp = tmp.resolve("unknown_op.onnx");
        var m = HandBuiltModelTest.model().toBuilder();
        m.getGraphBuilder().getNodeBuilder(0).setOpType("NoSuchOperator");
        Files.write(unknownOp, m.build().toByteArray());
        assertNames(unknownOp, assertThrows(OnnxFormatException.class, () -> OrtSessions.open(unknownOp, OrtSessions.CPU)),
                "ONNX Runtime cannot load");
    }

    @Test
    void missingOrWrongInputNamesFileAndWhatWasFound() {
        Path f = Fixtures.tinyNet();
        OnnxModel m = OnnxModel.load(f);
        var e = assertThrows(OnnxFormatException.class,
                () -> m.requireInputs(ValueSpec.of("pixels", DType.FLOAT32, "N", "3", "H", "W")));
        assertNames(f, e, "expected input 'pixels' float32 [N,3,H,W], found inputs: images float32 [N,3,H,W]");
        e = assertThrows(OnnxFormatException.class,
                () -> m.requireInputs(ValueSpec.of("images", DType.FLOAT16, "N", "3", "H", "W")));
        assertNames(f, e, "expected input 'images' float16");
        e = assertThrows(OnnxFormatException.class,
                () -> m.requireInputs(ValueSpec.of("images", DType.FLOAT32, "N", "3", "H")));
        assertNames(f, e, "found inputs: images float32 [N,3,H,W]");
        e = assertThrows(OnnxFormatException.class,
                () -> m.requireOutputs(ValueSpec.of("logits", DType.FLOAT32, "N", "80")));
        assertNames(f, e, "expected output 'logits' float32 [N,80], found outputs: logits float32 [N,6], keep int64 [K]");
        // a symbolic expectation accepts a fixed size, a fixed expectation accepts a dynamic axis
        m.requireInputs(ValueSpec.of("images", DType.FLOAT32, "1", "C", "640", "640"));
        m.requireInputs(ValueSpec.of("images", null, "N", "3", "H", "W"));
    }

    @Test
    void initializerLookupNamesFile() {
        Path f = Fixtures.tinyNet();
        assertNames(f, assertThrows(OnnxFormatException.class, () -> OnnxModel.load(f).initializer("nope")),
                "no initializer named 'nope'");
    }
}
