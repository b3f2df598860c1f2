package org.aligndet.bridge.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** What a model file is, told from its bytes (not its extension). */
public enum FileKind {
    /** A torch.save zip archive: {@code data.pkl} + {@code data/N}, no code. */
    CHECKPOINT,
    /** A torch.jit.save archive: has {@code code/} and {@code constants.pkl}. */
    TORCHSCRIPT,
    /** A torch.save file from before torch 1.6 (not a zip). */
    LEGACY_CHECKPOINT,
    /** An ONNX ModelProto (protobuf). */
    ONNX;

    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20};

    /**
     * Detects the kind. Zip archives are told apart by their entry names only (nothing is unpickled);
     * anything else that is not a legacy torch file is assumed to be ONNX and checked by its parser.
     */
    public static FileKind detect(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": " + (Files.isDirectory(file) ? "is a directory, not a file"
                    : Files.exists(file) ? "not a regular file" : "no such file"));
        }
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K') {
            try (ZipFile zip = new ZipFile(file.toFile())) {
                boolean code = false;
                boolean constants = false;
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    code |= name.contains("/code/");
                    constants |= name.endsWith("/constants.pkl");
                }
                return code && constants ? TORCHSCRIPT : CHECKPOINT;
            } catch (java.util.zip.ZipException e) {
                throw new IOException(file + ": looks like a zip archive but cannot be read (" + e.getMessage() + ")", e);
            }
        }
        if (n >= LEGACY_MAGIC.length && startsWith(head, LEGACY_MAGIC)) {
            return LEGACY_CHECKPOINT;
        }
        return ONNX;
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
