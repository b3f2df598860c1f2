package org.aligndet.bridge.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not loadable TorchScript fail with one message naming the file and libtorch's reason. */
class TorchGraphErrorsTest {
    @TempDir
    Path tmp;

    /** A TorchScript-shaped archive whose pickle asks for {@code posix.system} (the checkpoint fixture's payload). */
    private Path hostileArchive() throws IOException {
        byte[] pickle = "\u0080\u0002cposix\nsystem\nX\u0019\u0000\u0000\u0000touch /tmp/aligndet_pwned\u0085R."
                .getBytes(StandardCharsets.ISO_8859_1);
        Path f = tmp.resolve("hostile.ts");
        try (OutputStream out = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(out)) {
            stored(zip, "archive/data.pkl", pickle);
            stored(zip, "archive/constants.pkl", new byte[] {(byte) 0x80, 2, ')', 'q', 0, '.'});
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return f;
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    @Test
    void hostileGraphIsRefusedWithLibtorchsReason() throws IOException {
        Path f = hostileArchive();
        GraphException e = assertThrows(GraphException.class, () -> TorchGraph.load(f, Device.cpu()).close());
        assertTrue(e.getMessage().startsWith(f + ": libtorch could not load it as TorchScript: Unknown type name 'posix.system'"),
                e.getMessage());
        assertTrue(Files.notExists(Path.of("/tmp/aligndet_pwned")), "the payload ran");
    }

    @Test
    void directoryIsNamedAsOne() {
        GraphException e = assertThrows(GraphException.class, () -> TorchGraph.load(tmp, Device.cpu()).close());
        assertEquals(tmp + ": is a directory, not a TorchScript file", e.getMessage());
    }

    @Test
    void causeIsTheFirstNonBlankMessageOfTheChain() {
        Exception chain = new RuntimeException("", new IllegalStateException("\n  \nreal reason\nsecond line"));
        assertEquals("real reason (IllegalStateException)", TorchGraph.cause(chain));
        assertEquals("(no message) java.lang.RuntimeException", TorchGraph.cause(new RuntimeException()));
    }
}
