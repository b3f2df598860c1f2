package org.aligndet.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run folder is never shared by two runs; interrupted writes leave nothing behind. */
class RunFolderTest {
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    static void aRunIn(Path out) throws Exception {
        Files.createDirectories(out.resolve("checkpoints"));
        Files.writeString(out.resolve("metrics.jsonl"), "{\"iter\":1}\n");
        Files.writeString(out.resolve("best.pth"), "old");
        new CheckpointStore(out.resolve("checkpoints"), 2).save(4, Map.of("x", 1L));
    }

    @Test
    void aFolderHoldingARunIsRefusedWithoutResumeOrOverwrite(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        aRunIn(out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunFolder.claim(out, false, false, QUIET));
        assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("--resume")
                && e.getMessage().contains("--overwrite") && e.getMessage().contains("metrics.jsonl"), e.getMessage());
        assertTrue(Files.exists(out.resolve("best.pth")), "nothing removed when refused");
        RunFolder.claim(out, true, false, QUIET); // resume keeps everything
        assertTrue(Files.exists(out.resolve("checkpoints/iter_00000004.pth")));
        assertThrows(IllegalArgumentException.class, () -> RunFolder.claim(out, true, true, QUIET));
    }

    @Test
    void overwriteRemovesTheOldRunFirst(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        aRunIn(out);
        Files.writeString(out.resolve("notes.txt"), "the user's own file");
        RunFolder.claim(out, false, true, QUIET);
        assertFalse(Files.exists(out.resolve("best.pth")));
        assertFalse(Files.exists(out.resolve("metrics.jsonl")));
        assertFalse(Files.exists(out.resolve("checkpoints")));
        assertTrue(Files.exists(out.resolve("notes.txt")), "files of no run are left alone");
        RunFolder.claim(out, false, false, QUIET); // now empty of runs: a fresh run may start
    }

    @Test
    void staleTemporariesAreRemovedAtStart(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Files.createDirectories(out.resolve("checkpoints"));
        Path stale = out.resolve("checkpoints/.iter_00000008.pth.0b9d1c7e-1111-2222-3333-444455556666.tmp");
        Files.writeString(stale, "half a checkpoint");
        Path staleTop = out.resolve(".metrics.jsonl.5f.tmp");
        Files.writeString(staleTop, "x");
        RunFolder.claim(out, false, false, QUIET);
        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(staleTop));
    }

    @Test
    void aLatestPointerNamingAMissingFileIsAnErrorNamingBoth(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, 3);
        store.save(2, Map.of("x", 1L));
        store.save(3, Map.of("x", 1L));
        Files.delete(dir.resolve("iter_00000003.pth"));
        IllegalStateException e = assertThrows(IllegalStateException.class, store::latest);
        assertTrue(e.getMessage().contains("latest") && e.getMessage().contains("iter_00000003.pth"), e.getMessage());
    }
}
