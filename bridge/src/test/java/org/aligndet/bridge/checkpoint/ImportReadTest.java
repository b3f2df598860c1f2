package org.aligndet.bridge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reading for import: objects of classes outside the whitelist become inert placeholders listed by path, the
 * tensors still load, and globals that run code stay refused.
 */
class ImportReadTest {
    @TempDir
    Path tmp;

    static Path importFixture(String name) {
        return Fixtures.root().resolve("model-specs/fixtures/import").resolve(name);
    }

    @Test
    void mmengineHistoryBuffersBecomePlaceholdersAndTensorsLoad() throws IOException {
        Path f = importFixture("mmdet3_retinanet_tiny.pth");
        CheckpointFormatException strict = assertThrows(CheckpointFormatException.class, () -> TorchCheckpoint.read(f));
        assertTrue(strict.getMessage().contains("refused global 'mmengine.logging.history_buffer.HistoryBuffer'"),
                strict.getMessage());

        TorchCheckpoint.ForeignRead r = TorchCheckpoint.readForImport(f);
        assertEquals(Map.of("message_hub.log_scalars['train/loss']", "mmengine.logging.history_buffer.HistoryBuffer",
                "message_hub.log_scalars['train/lr']", "mmengine.logging.history_buffer.HistoryBuffer"), r.placeholders());
        Map<String, HostTensor> sd = TorchCheckpoint.stateDict(r.root());
        assertEquals(104 + 12, sd.size()); // the parameters plus num_batches_tracked of 12 BN layers
        Map<?, ?> hub = (Map<?, ?>) ((Map<?, ?>) r.root()).get("message_hub");
        Placeholder loss = assertInstanceOf(Placeholder.class, ((Map<?, ?>) hub.get("log_scalars")).get("train/loss"));
        assertTrue(loss.called());
        // BUILD's state is kept as data: the buffer's attributes, its numpy arrays opaque
        Map<?, ?> state = assertInstanceOf(Map.class, loss.state());
        assertEquals(1000000L, state.get("max_length"));
        assertInstanceOf(OpaqueValue.class, state.get("_log_history"));
    }

    @Test
    void argparseNamespaceBecomesAPlaceholderWithItsAttributes() throws IOException {
        TorchCheckpoint.ForeignRead r = TorchCheckpoint.readForImport(importFixture("torchvision_retinanet_tiny.pth"));
        assertEquals(Map.of("args", "argparse.Namespace"), r.placeholders());
        Placeholder args = (Placeholder) ((Map<?, ?>) r.root()).get("args");
        assertEquals("retinanet_resnet50_fpn", ((Map<?, ?>) args.state()).get("model"));
    }

    /** Code-running globals are refused in import mode too, by every opcode that names them. */
    @ParameterizedTest
    @ValueSource(strings = {"evil_reduce.pth", "evil_inst.pth", "evil_obj.pth", "evil_newobj.pth", "evil_stack_global.pth"})
    void codeRunningGlobalsStayRefused(String name) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> TorchCheckpoint.readForImport(Fixtures.file(name)));
        assertTrue(e.getMessage().contains("refused global"), e.getMessage());
    }

    @Test
    void aPlaceholderIsNeverCalledAgain() throws IOException {
        // mmengine.Foo() then REDUCE on the resulting object: refused, the object is not callable
        String pkl = "\u0080\u0002cmmengine\nFoo\n)Rq\u0000h\u0000)R.";
        Path f = zip("call_twice.pth", pkl.getBytes(StandardCharsets.ISO_8859_1));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> TorchCheckpoint.readForImport(f));
        assertTrue(e.getMessage().contains("refused REDUCE on a Placeholder"), e.getMessage());
    }

    @Test
    void aClassNamedAsAValueIsAnUncalledPlaceholder() throws IOException {
        String pkl = "\u0080\u0002}X\u0003\u0000\u0000\u0000clscmmdet.models\nRetinaNet\ns.";
        Path f = zip("class_value.pth", pkl.getBytes(StandardCharsets.ISO_8859_1));
        TorchCheckpoint.ForeignRead r = TorchCheckpoint.readForImport(f);
        Placeholder p = (Placeholder) ((Map<?, ?>) r.root()).get("cls");
        assertEquals("mmdet.models.RetinaNet", p.global());
        assertFalse(p.called());
        assertEquals(List.of(), p.args());
        assertEquals(Map.of("cls", "mmdet.models.RetinaNet"), r.placeholders());
    }

    private Path zip(String name, byte[] pkl) throws IOException {
        Path f = tmp.resolve(name);
        try (TorchZipWriter z = new TorchZipWriter(Files.newOutputStream(f))) {
            z.add("archive/data.pkl", pkl);
            z.add("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            z.finish();
        }
        return f;
    }
}
