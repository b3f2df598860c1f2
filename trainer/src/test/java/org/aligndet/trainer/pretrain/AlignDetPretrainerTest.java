package org.aligndet.trainer.pretrain;

import org.aligndet.trainer.run.TrainingDivergedException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.aligndet.trainer.run.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** End-to-end pre-training on the tiny graphs: learning happens, resume is exact, divergence stops cleanly. */
class AlignDetPretrainerTest {
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny", "faster_rcnn_tiny"})
    void thirtyStepsOnAFixedBatchLowerTheLoss(String spec, @TempDir Path dir) throws Exception {
        PretrainOptions o = PretrainFixture.make(dir, spec, 2);
        o.flipProb = 0;          // no augmentation randomness: the same batch every step
        o.photometric = false;
        o.epochs = 30;
        o.lr = 0.02;
        AlignDetPretrainer.Result r = new AlignDetPretrainer(o, QUIET).run();
        assertEquals(30, r.iterations());
        List<Map<String, Double>> rows = MetricsLog.read(r.metrics());
        assertEquals(30, rows.size());
        double first = mean(rows.subList(0, 3), "loss");
        double last = mean(rows.subList(27, 30), "loss");
        assertTrue(last < 0.9 * first, spec + ": loss went from " + first + " to " + last + " in 30 steps");
        double firstC = mean(rows.subList(0, 3), "loss_contrastive");
        double lastC = mean(rows.subList(27, 30), "loss_contrastive");
        assertTrue(lastC < firstC - 0.05, spec + ": contrastive loss did not drop: " + firstC + " -> " + lastC);
        assertTrue(Files.size(r.curve()) > 1000);
        // the result for fine-tuning: detector weights, projector, meta
        Object root = TorchCheckpoint.read(r.pretrained());
        assertTrue(((Map<?, ?>) root).keySet().containsAll(List.of("state_dict", "meta", "projector")));
    }

    @Test
    void resumingContinuesExactly(@TempDir Path dir) throws Exception {
        PretrainOptions straight = PretrainFixture.make(dir.resolve("a"), "retinanet_tiny", 4);
        straight.epochs = 3;
        straight.iters = 5;
        new AlignDetPretrainer(straight, QUIET).run();

        PretrainOptions first = PretrainFixture.make(dir.resolve("b"), "retinanet_tiny", 4);
        first.epochs = 3;
        first.iters = 3;   // stops inside epoch 2
        new AlignDetPretrainer(first, QUIET).run();
        PretrainOptions rest = PretrainFixture.make(dir.resolve("b2"), "retinanet_tiny", 4);
        rest.out = first.out;
        rest.images = first.images;
        rest.proposals = first.proposals;
        rest.epochs = 3;
        rest.iters = 5;
        rest.resume = true;
        AlignDetPretrainer.Result r = new AlignDetPretrainer(rest, QUIET).run();
        assertEquals(5, r.iterations());

        Map<String, HostTensor> a = TorchCheckpoint.readStateDict(straight.out.resolve("checkpoints/iter_00000005.pth"));
        Map<String, HostTensor> b = TorchCheckpoint.readStateDict(first.out.resolve("checkpoints/iter_00000005.pth"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k).toFloats();
            float[] y = b.get(k).toFloats();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-6, k + "[" + i + "] differs after resume");
            }
        }
        Map<?, ?> metaA = (Map<?, ?>) ((Map<?, ?>) TorchCheckpoint.read(straight.out.resolve("checkpoints/iter_00000005.pth"))).get("momentum");
        assertFalse(metaA.isEmpty());
    }

    @Test
    void aDivergingLossStopsWithAClearMessageAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        PretrainOptions o = PretrainFixture.make(dir, "retinanet_tiny", 2);
        o.epochs = 50;
        o.lr = 1e12;
        o.checkpointEvery = 1;
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> new AlignDetPretrainer(o, QUIET).run());
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

    static double mean(List<Map<String, Double>> rows, String key) {
        return rows.stream().mapToDouble(r -> r.get(key)).average().orElseThrow();
    }
}
