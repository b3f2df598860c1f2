package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No command writes over a file it reads, however the two paths are spelled. */
class OutputPathsTest {
    @TempDir
    Path dir;
    Path input;
    byte[] content;

    @BeforeEach
    void input() throws IOException {
        input = Files.writeString(dir.resolve("input.json"), "{\"images\": []}");
        content = Files.readAllBytes(input);
    }

    private Path link(Path target) throws IOException {
        return Files.createSymbolicLink(dir.resolve("link-" + target.getFileName()), target);
    }

    @Test
    void samePathsWhetherOrNotTheyExist() throws IOException {
        assertTrue(OutputPaths.same(input, dir.resolve("sub/../input.json")));
        assertTrue(OutputPaths.same(input, link(input)));
        Path linkedDir = link(Files.createDirectories(dir.resolve("real")));
        assertTrue(OutputPaths.same(dir.resolve("real/new/out.onnx"), linkedDir.resolve("new/./out.onnx")), "neither exists yet");
        assertFalse(OutputPaths.same(input, dir.resolve("other.json")));
        assertEquals(dir.toRealPath().resolve("real/new/out.onnx"), OutputPaths.canonical(linkedDir.resolve("new/out.onnx")));
    }

    /** Runs a command that must be refused for writing over {@code input}, and checks {@code input} is untouched. */
    private void assertRefused(String outOption, String inOption, String... args) throws IOException {
        CliRun r = CliRun.main(args);
        assertEquals(2, r.code(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("aligndet: error: " + outOption + " ") && first.contains(" is the file read as " + inOption + ": "),
                r.err());
        assertArrayEquals(content, Files.readAllBytes(input));
    }

    @Test
    void everyWritingCommandRefusesToOverwriteItsInput() throws IOException {
        String in = input.toString();
        String sameSpelledOtherwise = dir.resolve("x/../input.json").toString();
        assertRefused("--out", "--checkpoint", "export", "--checkpoint", in, "--spec", "retinanet_tiny", "--out", sameSpelledOtherwise);
        assertRefused("--torchscript", "--checkpoint", "export", "--checkpoint", in, "--spec", "retinanet_tiny",
                "--out", dir.resolve("m.onnx").toString(), "--torchscript", link(input).toString());
        assertRefused("--out", "--coco", "proposals", "--coco", in, "--out", in);
        assertRefused("--out", "--proposals", "pretrain", "--spec", "retinanet_tiny", "--images", dir.toString(), "--proposals", in,
                "--out", in);
        assertRefused("--out", "--train", "finetune", "--spec", "retinanet_tiny", "--train", in, "--images", dir.toString(),
                "--out", in);
        assertRefused("--json", "--coco-gt", "eval", "--coco-gt", in, "--results", dir.resolve("dets.json").toString(), "--json", in);
        assertRefused("--md", "--checkpoint", "check", "--checkpoint", in, "--model", dir.resolve("m.onnx").toString(),
                "--images", dir.toString(), "--md", in);
    }

    @Test
    void resultsInsideAnOutputFolderCountToo() throws IOException {
        Path outDir = Files.createDirectories(dir.resolve("pred"));
        input = Files.writeString(outDir.resolve("results.json"), "[]");
        content = Files.readAllBytes(input);
        assertRefused("--out", "--coco", "predict", "--model", dir.resolve("m.onnx").toString(), "--images", dir.toString(),
                "--coco", input.toString(), "--out", outDir.toString());
        assertRefused("--out", "--coco-gt", "eval", "--coco-gt", input.toString(), "--model", dir.resolve("m.onnx").toString(),
                "--images", dir.toString(), "--out", outDir.toString());
        Path crops = Files.createDirectories(dir.resolve("crops"));
        CliRun r = CliRun.main("backbone", "--spec", "retinanet_tiny", "--crops", crops.toString(), "--out", crops.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("aligndet: error: --out " + crops.toRealPath() + " is the file read as --crops"), r.err());
    }
}
