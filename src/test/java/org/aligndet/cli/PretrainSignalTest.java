package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.aligndet.trainer.run.CheckpointStore;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real SIGTERM to a running {@code aligndet pretrain}: the run writes a checkpoint at the iteration
 * it reached before the JVM exits, and {@code --resume} continues from there.
 */
class PretrainSignalTest {
    @Test
    void sigtermCheckpointsAndResumeContinues(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        SynthGenerator.generate(new SynthConfig(data, 12, 3, 0.0, 256, 0, 96, 2, false, false));
        Path proposals = dir.resolve("proposals.json");
        assertEquals(0, Main.commandLine().execute("proposals", "--images", data.resolve("train").toString(),
                "--out", proposals.toString(), "--mode", "single", "--long-side", "256", "--no-progress"));
        Path out = dir.resolve("run");
        String root = ModelSpecs.locate().directory().getParent().toString();
        List<String> args = new ArrayList<>(List.of("pretrain", "--spec", "retinanet_tiny", "--images", data.resolve("train").toString(),
                "--proposals", proposals.toString(), "--out", out.toString(), "--batch", "2", "--samples", "64",
                "--warmup-iters", "5", "--device", "cpu", "--log-every", "1", "--workers", "1"));

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "-Daligndet.root=" + root,
                "org.aligndet.cli.Main"));
        cmd.addAll(args);
        cmd.addAll(List.of("--max-iters", "500"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        Path metrics = out.resolve("metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline && p.isAlive()
                && (!Files.exists(metrics) || Files.readAllLines(metrics).size() < 3)) {
            Thread.sleep(200);
        }
        assertTrue(p.isAlive(), "pretrain ended early:\n" + Files.readString(dir.resolve("child.log")));
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pretrain did not stop after SIGTERM");
        String log = Files.readString(dir.resolve("child.log"));
        assertTrue(log.contains("stopped by signal"), log);

        CheckpointStore store = new CheckpointStore(out.resolve("checkpoints"), 3);
        Path latest = store.latest().orElseThrow(() -> new AssertionError("no checkpoint after SIGTERM:\n" + log));
        String name = latest.getFileName().toString();
        long stoppedAt = Long.parseLong(name.substring(5, 13));
        assertTrue(stoppedAt >= 3, "checkpoint at iteration " + stoppedAt);

        List<String> resume = new ArrayList<>(args);
        resume.addAll(List.of("--resume", "--max-iters", Long.toString(stoppedAt + 2)));
        assertEquals(0, Main.commandLine().execute(resume.toArray(new String[0])));
        assertTrue(Files.exists(out.resolve(String.format("checkpoints/iter_%08d.pth", stoppedAt + 2))));
    }
}
