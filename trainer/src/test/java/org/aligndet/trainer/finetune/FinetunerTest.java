package org.aligndet.trainer.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.trainer.run.TrainingDivergedException;
import org.aligndet.trainer.run.MetricsLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fine-tuning loop on the tiny graphs: files, validation bookkeeping, exact resume, divergence. */
class FinetunerTest {
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void generate() throws Exception {
        data = shared.resolve("data");
        FinetuneFixture.make(data, shared.resolve("unused"), "retinanet_tiny", 12, 96);
    }

    static FinetuneOptions options(Path out, String spec) throws Exception {
        FinetuneOptions o = FinetuneFixture.make(data, out, spec, 12, 96);
        o.longSide = 128;
        o.shortSide = 96;
        o.threads = 1;
        return o;
    }

    @Test
    void aRunWritesItsFilesKeepsTheBestValidationAndAFineTuneCheckpoint(@TempDir Path dir) throws Exception {
        FinetuneOptions o = options(dir.resolve("run"), "fcos_tiny");
        o.iters = 6;
        o.valEvery = 2;
        double[] scores = {0.1, 0.3, 0.2};
        int[] calls = {0};
        Finetuner.Result r = new Finetuner(o, (p, it) -> new ValidationResult(ValidationResult.BBOX_MAP,
                Map.of(ValidationResult.BBOX_MAP, scores[calls[0]++])), QUIET).run();
        assertEquals(6, r.iterations());
        assertEquals(3, calls[0]);
        assertEquals(0.3, r.bestScore());
        for (String f : List.of("best.pth", "last.pth", "metrics.jsonl", "loss_curve.png", "init_report.json", "subset.json")) {
            assertTrue(Files.exists(o.out.resolve(f)), f);
        }
        Map<?, ?> best = (Map<?, ?>) ((Map<?, ?>) TorchCheckpoint.read(r.best())).get("meta");
        assertEquals(4L, ((Number) best.get("iter")).longValue());
        assertEquals("finetune", best.get("stage"));
        assertEquals("baseline", best.get("recipe"));
        assertEquals(8, ((List<?>) best.get("classes")).size());
        assertEquals(Boolean.FALSE, best.get("aligndet_pretrained"));
        List<Map<String, Double>> rows = MetricsLog.read(r.metrics());
        assertEquals(3, rows.stream().filter(x -> x.containsKey(ValidationResult.BBOX_MAP)).count());
        assertNotNull(r.lastCheckpoint());
    }

    @Test
    void aFailingValidationNeverCostsTheTrainedWeights(@TempDir Path dir) throws Exception {
        FinetuneOptions o = options(dir.resolve("run"), "retinanet_tiny");
        o.iters = 4;
        o.valEvery = 2;
        Finetuner.Result r = new Finetuner(o, (p, it) -> {
            throw new IllegalStateException("/data/val/zero.jpg: empty file");
        }, QUIET).run();
        assertEquals(4, r.iterations());
        assertTrue(Files.exists(o.out.resolve("last.pth")), "the trained weights are written");
        assertTrue(Files.exists(o.out.resolve("checkpoints/iter_00000004.pth")));
        List<Map<String, Double>> rows = MetricsLog.read(r.metrics());
        assertEquals(2, rows.stream().filter(x -> x.containsKey("evaluation_failed")).count());
    }

    @Test
    void aSecondRunIntoAUsedFolderIsRefusedUnlessResumedOrOverwritten(@TempDir Path dir) throws Exception {
        FinetuneOptions first = options(dir.resolve("run"), "retinanet_tiny");
        first.iters = 2;
        new Finetuner(first, null, QUIET).run();
        FinetuneOptions again = options(dir.resolve("run"), "retinanet_tiny");
        again.iters = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Finetuner(again, null, QUIET).run());
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        again.overwrite = true;
        Finetuner.Result r = new Finetuner(again, null, QUIET).run();
        assertEquals(2, r.iterations());
    }

    @Test
    void resumingContinuesExactly(@TempDir Path dir) throws Exception {
        FinetuneOptions straight = options(dir.resolve("a"), "retinanet_tiny");
        straight.iters = 6;   // 10 training images / batch 2: epoch boundary at 5
        new Finetuner(straight, null, QUIET).run();

        FinetuneOptions first = options(dir.resolve("b"), "retinanet_tiny");
        first.iters = 6;
        first.checkpointEvery = 3;
        first.valEvery = 1;   // validation at 4 aborts the run: the latest checkpoint is iteration 3
        StopAt stop = new StopAt(3);
        assertThrows(StopAt.Stopped.class, () -> new Finetuner(first, stop, QUIET).run());
        FinetuneOptions rest = options(dir.resolve("b"), "retinanet_tiny");
        rest.iters = 6;
        rest.resume = true;
        Finetuner.Result r = new Finetuner(rest, null, QUIET).run();
        assertEquals(6, r.iterations());

        Map<String, HostTensor> a = TorchCheckpoint.readStateDict(straight.out.resolve("checkpoints/iter_00000006.pth"));
        Map<String, HostTensor> b = TorchCheckpoint.readStateDict(first.out.resolve("checkpoints/iter_00000006.pth"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k).toFloats();
            float[] y = b.get(k).toFloats();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-6, k + "[" + i + "] differs after resume");
            }
        }
    }

    /** A validator that aborts the run at the first validation after {@code iteration} (a crash, as far as the run knows). */
    /** Kills the run from inside (an Error, as a crash would be: evaluation failures proper are survived). */
    static final class StopAt implements Validator {
        static final class Stopped extends Error {
            private static final long serialVersionUID = 1L;
        }

        private final long iteration;

        StopAt(long iteration) {
            this.iteration = iteration;
        }

        @Override
        public ValidationResult validate(org.aligndet.trainer.infer.TorchPredictor p, long it) {
            if (it > iteration) {
                throw new Stopped();
            }
            return new ValidationResult(ValidationResult.BBOX_MAP, Map.of(ValidationResult.BBOX_MAP, 0.0));
        }
    }

    @Test
    void aDivergingLossStopsWithAClearMessageAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        FinetuneOptions o = options(dir.resolve("run"), "retinanet_tiny");
        o.iters = 50;
        o.lr = 1e12;
        o.checkpointEvery = 1;
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> new Finetuner(o, null, QUIET).run());
        assertTrue(e.getMessage().contains("last good checkpoint"), e.getMessage());
        List<Path> left;
        try (var s = Files.list(o.out.resolve("checkpoints"))) {
            left = s.filter(p -> p.toString().endsWith(".pth")).toList();
        }
        assertFalse(left.isEmpty(), "no checkpoint survived");
        for (Path p : left) {
            for (HostTensor t : TorchCheckpoint.readStateDict(p).values()) {
                for (float v : t.toFloats()) {
                    assertTrue(Float.isFinite(v), p + " holds a non-finite weight");
                }
            }
        }
    }
}
