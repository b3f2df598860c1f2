package org.aligndet.trainer.finetune;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.torch.LoadReport;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.optim.Sgd;

/**
 * Where a fine-tuning run is (iteration, epoch, batch within it, best score so far), what its
 * checkpoints' {@code meta} says, and how a resumed run gets it all back.
 */
final class FinetuneState {
    private final FinetuneOptions o;
    private final List<String> classes;
    private final InitReport init;
    private final long total;

    long iteration;
    int epoch;
    int batchInEpoch;
    double bestScore = Double.NaN;
    long bestIter = -1;
    Path bestPath;
    ValidationResult lastValidation;

    FinetuneState(FinetuneOptions o, List<String> classes, InitReport init, long total) {
        this.o = o;
        this.classes = List.copyOf(classes);
        this.init = init;
        this.total = total;
    }

    /** One iteration done; it was batch {@code batchInEpoch - 1} of {@code epoch}. */
    void stepDone(int epoch, int batchInEpoch) {
        iteration++;
        this.epoch = epoch;
        this.batchInEpoch = batchInEpoch;
    }

    void nextEpoch(int next) {
        epoch = next;
        batchInEpoch = 0;
    }

    Map<String, Object> meta() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("aligndet_version", "0.1.0");
        m.put("spec", o.spec.name());
        m.put("stage", "finetune");
        m.put("classes", classes);
        m.put("recipe", o.recipe);
        m.put("aligndet_pretrained", "pretrained".equals(init.mode()));
        m.put("init", o.init != null ? o.init.toString() : o.backbone != null ? o.backbone.toString() : "");
        m.put("init_mode", init.mode());
        m.put("iter", iteration);
        m.put("epoch", (long) epoch);
        m.put("batch_in_epoch", (long) batchInEpoch);
        m.put("total_iters", total);
        m.put("epochs", (long) o.epochs);
        m.put("iters", o.iters);
        m.put("batch", (long) o.batch);
        m.put("lr", o.lr);
        m.put("weight_decay", o.weightDecay);
        m.put("img_scale", List.of((long) o.longSide, (long) o.shortSide));
        m.put("frozen_stages", (long) o.frozenStages);
        m.put("seed", o.seed);
        m.put("fraction", o.fraction);
        m.put("fold", (long) o.fold);
        m.put("train", String.valueOf(o.train));
        m.put("best_score", bestScore);
        m.put("best_iter", bestIter);
        return m;
    }

    FinetuneCheckpoint checkpoint(TorchGraph graph, Sgd sgd, int[] order) {
        return new FinetuneCheckpoint(graph.stateDict(), meta(), sgd.state(), order);
    }

    void resume(org.aligndet.trainer.run.CheckpointStore store, TorchGraph graph, Sgd sgd, NDManager manager,
                PrintStream log) throws IOException {
        Path latest = store.latest().orElseThrow(() -> new IllegalArgumentException(
                "--resume: no checkpoint in " + store.directory() + " (start without --resume)"));
        FinetuneCheckpoint c = FinetuneCheckpoint.fromRoot(TorchCheckpoint.read(latest), latest.toString());
        Map<String, Object> m = c.meta();
        if (!o.spec.name().equals(m.get("spec"))) {
            throw new IllegalArgumentException(latest + ": written for spec " + m.get("spec") + ", not " + o.spec.name());
        }
        LoadReport r = graph.load(c.stateDict());
        if (!r.complete()) {
            throw new IllegalArgumentException(latest + ": state_dict does not match the graph: " + r + " missing "
                    + FinetuneInit.head(r.missing()) + " unexpected " + FinetuneInit.head(r.unexpected()));
        }
        sgd.loadState(c.optimizer(), manager);
        iteration = ((Number) m.get("iter")).longValue();
        epoch = ((Number) m.get("epoch")).intValue();
        batchInEpoch = ((Number) m.get("batch_in_epoch")).intValue();
        bestScore = ((Number) m.getOrDefault("best_score", Double.NaN)).doubleValue();
        bestIter = ((Number) m.getOrDefault("best_iter", -1L)).longValue();
        Path best = o.out.resolve("best.pth");
        bestPath = bestIter >= 0 && best.toFile().exists() ? best : null;
        log.printf("finetune: resumed from %s at iteration %d (epoch %d, batch %d)%n", latest, iteration, epoch + 1, batchInEpoch);
    }
}
