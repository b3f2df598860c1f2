package org.aligndet.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFilesTest {
    static Map<String, Object> state(long iter) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", Map.of("w", HostTensor.ofFloats(new long[] {2}, iter, -iter)));
        root.put("meta", Map.of("iter", iter));
        return root;
    }

    @Test
    void keepsTheNewestCheckpointsAndPointsLatestAtTheLastWrite(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, 2);
        for (long it = 10; it <= 40; it += 10) {
            store.save(it, state(it));
        }
        store.saveNamed("best", state(20));
        List<Path> left = store.iterationCheckpoints();
        assertEquals(List.of(dir.resolve("iter_00000030.pth"), dir.resolve("iter_00000040.pth")), left);
        assertTrue(Files.exists(dir.resolve("best.pth")));
        Path latest = store.latest().orElseThrow();
        assertEquals(dir.resolve("iter_00000040.pth"), latest);
        Map<String, HostTensor> sd = TorchCheckpoint.readStateDict(latest);
        assertEquals(40f, sd.get("w").toFloats()[0]);
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".tmp")), "temporary files left behind");
        }
    }

    @Test
    void resumedMetricsDropLinesPastTheResumePoint(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (MetricsLog log = new MetricsLog(f, -1)) {
            for (int i = 1; i <= 5; i++) {
                log.log(Map.of("iter", i, "loss", 1.0 / i));
            }
        }
        try (MetricsLog log = new MetricsLog(f, 3)) {
            log.log(Map.of("iter", 4, "loss", 0.3));
        }
        List<Map<String, Double>> rows = MetricsLog.read(f);
        assertEquals(4, rows.size());
        assertEquals(0.3, rows.get(3).get("loss"));
        Path png = dir.resolve("loss.png");
        LossCurve.write(png, rows, "test");
        byte[] head = Files.readAllBytes(png);
        assertTrue(head.length > 1000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G');
    }
}
