package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SynthCommandTest {
    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.with(new CommandLine(new SynthCommand()), args);
    }

    @Test
    void writesBothLayoutsAndPrintsASummary() throws Exception {
        Path dir = tmp.resolve("bench");
        CliRun r = run("--out", dir.toString(), "--images", "10", "--seed", "3", "--crops", "8", "--val-fraction", "0.3",
                "--workers", "2", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote 10 images (7 train, 3 val)"), r.out());
        assertTrue(r.out().contains("objects per class: circle "), r.out());
        assertTrue(r.out().contains("small ") && r.out().contains("medium ") && r.out().contains("large "), r.out());
        assertTrue(r.out().contains(dir.resolve("VOCdevkit/VOC2007").toString()), r.out());
        Dataset train = CocoReader.read(dir.resolve("annotations/instances_train.json"), dir.resolve("train"));
        assertEquals(7, train.images().size());
        assertEquals(8, train.classes().size());
        assertTrue(Files.isRegularFile(dir.resolve("VOCdevkit/VOC2007/ImageSets/Main/test.txt")));
        assertTrue(Files.isDirectory(dir.resolve("crops/hexagon")));

        Path again = tmp.resolve("again");
        assertEquals(0, run("--out", again.toString(), "--images", "10", "--seed", "3", "--crops", "8",
                "--val-fraction", "0.3", "--threads", "1", "--no-progress").code());
        assertArrayEquals(Files.readAllBytes(dir.resolve("annotations/instances_val.json")),
                Files.readAllBytes(again.resolve("annotations/instances_val.json")));
    }

    @Test
    void badArgumentsAreReportedNotThrown() {
        CliRun existing = run("--out", tmp.toString(), "--images", "1", "--no-progress");
        assertEquals(0, existing.code(), existing.err());
        CliRun again = run("--out", tmp.toString(), "--images", "1", "--no-progress");
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("already holds generator output"), again.err());
        CliRun fraction = run("--out", tmp.resolve("x").toString(), "--images", "1", "--val-fraction", "2");
        assertEquals(2, fraction.code());
        assertTrue(fraction.err().contains("Invalid value for option '--val-fraction': must be a number in [0, 1], got '2'"), fraction.err());
        assertEquals(2, run("--images", "3").code(), "--out is required");
    }

    @Test
    void zeroImagesIsAUsageError() {
        CliRun r = run("--out", tmp.resolve("none").toString(), "--images", "0", "--no-progress");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("Invalid value for option '--images': must be at least 1, got '0'"), r.err());
        assertTrue(java.nio.file.Files.notExists(tmp.resolve("none")), "nothing written");
    }
}
