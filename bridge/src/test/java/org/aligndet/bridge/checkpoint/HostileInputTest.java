package org.aligndet.bridge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hostile and broken files fail with CheckpointFormatException, execute nothing, allocate little. */
class HostileInputTest {
    @TempDir
    Path tmp;

    private static String refusal(Path file) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }

    @ParameterizedTest
    @CsvSource({
        "evil_reduce.pth, refused global 'posix.system'",
        "evil_inst.pth, refused global 'os.system'",
        "evil_obj.pth, refused global 'os.system'",
        "evil_newobj.pth, refused global 'subprocess.Popen'",
        "evil_stack_global.pth, refused global 'builtins.eval'",
        "evil_zipslip.pth, ../",
        "truncated.pth, truncated",
        "oversized_storage.pth, exceeds",
        "view_out_of_range.pth, out of range",
    })
    void hostileFixturesAreRefused(String name, String part) {
        String message = refusal(Fixtures.file(name));
        assertContains(message, part);
        if (name.startsWith("evil_") && !name.equals("evil_zipslip.pth")) {
            assertContains(message, "only tensors, OrderedDict and plain containers are read");
        }
    }

    @Test
    void oversizedStorageNamesTheDeclaredSize() {
        assertContains(refusal(Fixtures.file("oversized_storage.pth")), "1099511627776");
    }

    /** A pickle that, if anything executed it, would create a file; it must not exist afterwards. */
    @Test
    void systemCallNeverRuns() throws IOException {
        Path marker = tmp.resolve("pwned");
        String cmd = "touch " + marker;
        for (String op : new String[] {"reduce", "inst", "obj", "newobj", "stack_global"}) {
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            p.write(0x80);
            p.write(op.equals("stack_global") ? 4 : 2);
            switch (op) {
                case "reduce" -> { p.writeBytes("cos\nsystem\n".getBytes()); str(p, cmd); p.write(0x85); p.write('R'); }
                case "inst" -> { p.write('('); str(p, cmd); p.writeBytes("ios\nsystem\n".getBytes()); }
                case "obj" -> { p.write('('); p.writeBytes("cos\nsystem\n".getBytes()); str(p, cmd); p.write('o'); }
                case "newobj" -> { p.writeBytes("cos\nsystem\n".getBytes()); str(p, cmd); p.write(0x85); p.write(0x81); }
                default -> { str(p, "os"); str(p, "system"); p.write(0x93); str(p, cmd); p.write(0x85); p.write('R'); }
            }
            p.write('.');
            Path f = zipWith("sys_" + op + ".pth", p.toByteArray());
            assertContains(refusal(f), "refused global 'os.system'");
            assertFalse(Files.exists(marker), "the command ran via " + op);
        }
    }

    /** REDUCE/BUILD on values that are not whitelisted globals are refused too. */
    @Test
    void callingNonGlobalsIsRefused() throws IOException {
        assertContains(refusal(pickle("reduce_str.pth", "\u0080\u0002X\u0001\u0000\u0000\u0000a)R.")), "refused REDUCE on a String");
        assertContains(refusal(pickle("build_list.pth", "\u0080\u0002]}b.")), "refused BUILD on a list");
        assertContains(refusal(pickle("newobj_dict.pth", "\u0080\u0002})\u0081.")), "refused NEWOBJ on a dict");
        assertContains(refusal(pickle("storage_call.pth", "\u0080\u0002ctorch\nFloatStorage\n)R.")), "refused REDUCE of 'torch.FloatStorage'");
    }

    @Test
    void absoluteAndDotDotEntryNamesAreRefused() throws IOException {
        Path abs = tmp.resolve("abs.pth");
        try (TorchZipWriter z = new TorchZipWriter(Files.newOutputStream(abs))) {
            z.add("archive/data.pkl", "\u0080\u0002N.".getBytes(StandardCharsets.ISO_8859_1));
            z.add("/etc/cron.d/evil", new byte[1]);
            z.finish();
        }
        assertContains(refusal(abs), "absolute path");
        Path dots = tmp.resolve("dots.pth");
        try (TorchZipWriter z = new TorchZipWriter(Files.newOutputStream(dots))) {
            z.add("archive/data.pkl", "\u0080\u0002N.".getBytes(StandardCharsets.ISO_8859_1));
            z.add("archive/data/../../../x", new byte[1]);
            z.finish();
        }
        assertContains(refusal(dots), "../");
    }

    @Test
    void truncatedPickleInsideValidZip() throws IOException {
        assertContains(refusal(pickle("t1.pth", "\u0080\u0002]q\u0000(K\u0001")), "truncated pickle");
        // BINUNICODE declaring 4 GiB of text: refused before allocating
        assertContains(refusal(pickle("t2.pth", "\u0080\u0002X\u00ff\u00ff\u00ff\u00ff.")), "truncated pickle");
        assertContains(refusal(pickle("t3.pth", "\u0080\u0002\u008e\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f.")), "truncated pickle");
    }

    @Test
    void malformedPicklesFailCleanly() throws IOException {
        assertContains(refusal(pickle("u.pth", "\u0080\u0002\u00ff.")), "unknown pickle opcode 0xff");
        assertContains(refusal(pickle("m.pth", "\u0080\u0002h\u0007.")), "memo entry 7");
        assertContains(refusal(pickle("s.pth", "\u0080\u0002.")), "stack underflow");
        assertContains(refusal(pickle("k.pth", "\u0080\u0002}]K\u0001s.")), "unhashable list");
        assertContains(refusal(pickle("e.pth", "\u0080\u0002K\u0001\u0082\u0001.")), "extension registry");
        assertContains(refusal(pickle("l.pth", "\u0080\u0002\u008b\u0000\u0000\u0000\u0001.")), "out of range");
    }

    @Test
    void nestingAndGrowthAreBounded() throws IOException {
        // 100k nested 1-tuples: built iteratively, then refused by the nesting check
        assertContains(refusal(pickle("deep.pth", "\u0080\u0002N" + "\u0085".repeat(100_000) + ".")), "nested deeper");
        // a list that contains itself
        assertContains(refusal(pickle("self.pth", "\u0080\u0002]q\u0000h\u0000a.")), "contains itself");
        // more marks than allowed
        assertContains(refusal(pickle("marks.pth", "\u0080\u0002" + "(".repeat(Unpickler.MAX_MARKS + 1) + "N.")), "marks");
        // stack growth: DUP many times
        assertContains(refusal(pickle("dup.pth", "\u0080\u0002N" + "2".repeat(Unpickler.MAX_STACK + 1) + ".")), "stack grows");
    }

    @Test
    void notAZipAndEmptyFiles() throws IOException {
        Path empty = Files.write(tmp.resolve("empty.pth"), new byte[0]);
        assertContains(refusal(empty), "truncated or empty");
        Path text = Files.writeString(tmp.resolve("text.pth"), "hello world");
        assertContains(refusal(text), "not a torch checkpoint");
        Path noPkl = tmp.resolve("nopkl.pth");
        try (TorchZipWriter z = new TorchZipWriter(Files.newOutputStream(noPkl))) {
            z.add("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            z.finish();
        }
        assertContains(refusal(noPkl), "no <top>/data.pkl");
    }

    private Path pickle(String name, String latin1) throws IOException {
        return zipWith(name, latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    private Path zipWith(String name, byte[] pkl) throws IOException {
        Path f = tmp.resolve(name);
        try (TorchZipWriter z = new TorchZipWriter(Files.newOutputStream(f))) {
            z.add("archive/data.pkl", pkl);
            z.add("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            z.finish();
        }
        return f;
    }

    private static void str(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        for (int i = 0; i < 4; i++) {
            p.write(b.length >>> (8 * i));
        }
        p.writeBytes(b);
    }
}
