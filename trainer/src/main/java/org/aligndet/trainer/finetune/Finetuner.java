package org.aligndet.trainer.finetune;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.augment.AugmentConfig;
import org.aligndet.trainer.augment.FinetunePipeline;
import org.aligndet.trainer.augment.View;
import org.aligndet.trainer.detect.FcosLoss;
import org.aligndet.trainer.detect.GtBoxes;
import org.aligndet.trainer.detect.RetinaNetLoss;
import org.aligndet.trainer.infer.TorchPredictor;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.loader.BatchLoader;
import org.aligndet.trainer.loader.LoaderOptions;
import org.aligndet.trainer.loader.SampleTransform;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.optim.GradClip;
import org.aligndet.trainer.optim.Sgd;
import org.aligndet.trainer.pretrain.TrainingDivergedException;
import org.aligndet.trainer.run.CheckpointStore;
import org.aligndet.trainer.run.Gradients;
import org.aligndet.trainer.run.LossCurve;
import org.aligndet.trainer.run.MetricsLog;
import org.aligndet.trainer.run.ProgressLine;
import org.aligndet.trainer.run.StopSignal;
import org.aligndet.trainer.spec.Family;

/**
 * Supervised fine-tuning of a dense detector (RetinaNet, FCOS), mmdetection's way.
 *
 * <p>Per iteration: a batch through the fine-tuning pipeline (keep-ratio resize to the recipe's
 * scale, flip 0.5, normalise, pad); backbone, neck, head and classifier with gradients (the stem
 * and the first {@code frozenStages} stages frozen, norm statistics frozen); the detector's
 * supervised loss ({@link RetinaNetLoss}: focal + L1, per-image valid anchors; {@link FcosLoss}:
 * focal + IoU + centre-ness); total gradient norm clipped; SGD with warm-up and steps. Every
 * {@code valEvery} iterations and at the end the {@link Validator} scores the detector;
 * {@code best.pth} follows the primary metric, {@code last.pth} is the final model.
 *
 * <p>Run directory: {@code checkpoints/iter_*.pth} (resumable, newest {@code keep}), {@code best.pth},
 * {@code last.pth}, {@code metrics.jsonl}, {@code loss_curve.png}, {@code init_report.json},
 * {@code subset.json}.
 */
public final class Finetuner {
    private final FinetuneOptions o;
    private final Validator validator;
    private final PrintStream log;

    /** @param validator scores the detector; {@code null}: no validation, no {@code best.pth} */
    public Finetuner(FinetuneOptions options, Validator validator, PrintStream log) {
        this.o = options;
        this.validator = validator;
        this.log = log;
    }

    /** What a finished (or stopped) run did; {@code best} and {@code bestScore} are null/NaN without validation. */
    public record Result(long iterations, long totalIterations, boolean stopped, Path lastCheckpoint, Path last,
                         Path best, double bestScore, ValidationResult lastValidation, Path metrics, Path curve,
                         InitReport init, Map<String, Double> firstLosses, Map<String, Double> lastLosses,
                         int trainImages, int skippedImages) {
    }

    public Result run() throws IOException {
        Device device = Devices.resolveAndLog(o.device);
        if (o.torchThreads > 0) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(o.torchThreads);
        }
        FinetuneOptions.checkRecipe(o.recipe);
        if (o.init != null && o.backbone != null) {
            throw new IllegalArgumentException("give --init (pre-trained detector) or --backbone (baseline), not both");
        }
        TrainingSet data = TrainingSet.read(o);
        log.printf("finetune: %s on %s, %s recipe, %d training images (%s)%n", o.spec.name(), Devices.describe(device),
                o.recipe, data.images().size(), o.fraction < 1 ? "fraction " + o.fraction + ", fold " + o.fold + " of "
                        + data.available() : "all with objects; " + data.withoutGt() + " without left out");
        int batchesPerEpoch = data.images().size() / o.batch;
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException(o.train + ": " + data.images().size() + " training images, fewer than one batch of "
                    + o.batch + " (lower --batch)");
        }
        long total = o.iters > 0 ? o.iters : (long) batchesPerEpoch * o.epochs;
        Files.createDirectories(o.out);
        data.writeSubset(o.out.resolve("subset.json"), o);
        CheckpointStore store = new CheckpointStore(o.out.resolve("checkpoints"), o.keepCheckpoints);
        Engine.getEngine("PyTorch").setRandomSeed((int) o.seed);

        try (NDManager manager = NDManager.newBaseManager(device, "PyTorch");
             TorchGraph graph = TorchGraph.load(o.graph, device, DenseDetector.METHODS);
             Sgd sgd = new Sgd(o.momentum, o.weightDecay)) {
            InitReport init = initialise(graph);
            init.write(o.out.resolve("init_report.json"));
            log.println("finetune: " + init.summary());
            int frozen = graph.freeze(this::frozen);
            graph.setTraining(true);
            FinetuneState s = new FinetuneState(o, data.classes(), init, total);
            if (o.resume) {
                s.resume(store, graph, sgd, manager, log);
            }
            log.printf("finetune: %d trainable tensors (%d frozen), %d iterations/epoch, %d in all%n",
                    graph.trainableNames().size(), frozen, batchesPerEpoch, total);
            return loop(data, batchesPerEpoch, total, store, manager, graph, sgd, s, init);
        }
    }

    private InitReport initialise(TorchGraph graph) throws IOException {
        if (o.init != null) {
            return FinetuneInit.fromPretrained(graph, o.spec, o.init, o.seed);
        }
        if (o.backbone != null) {
            return FinetuneInit.fromBackbone(graph, o.spec, o.backbone);
        }
        log.println("finetune: neither --init nor --backbone: starting from the graph's own weights");
        return FinetuneInit.graphOnly(graph);
    }

    /** mmdetection's ResNet {@code frozen_stages} plus frozen norm statistics. */
    boolean frozen(String name) {
        if (name.endsWith("running_mean") || name.endsWith("running_var") || name.endsWith("num_batches_tracked")) {
            return true;
        }
        if (o.frozenStages >= 0 && (name.startsWith("backbone.conv1.") || name.startsWith("backbone.bn1.")
                || name.startsWith("backbone.stem."))) {
            return true;
        }
        for (int i = 1; i <= o.frozenStages; i++) {
            if (name.startsWith("backbone.layer" + i + ".")) {
                return true;
            }
        }
        return false;
    }

    private Result loop(TrainingSet data, int batchesPerEpoch, long total, CheckpointStore store, NDManager manager,
                        TorchGraph graph, Sgd sgd, FinetuneState s, InitReport init) throws IOException {
        DenseDetector det = new DenseDetector(o.spec, graph);
        SupervisedLoss loss = SupervisedLoss.of(o.spec);
        FinetuneSchedule lrs = new FinetuneSchedule(o, total);
        AugmentConfig aug = new AugmentConfig(o.longSide, List.of(o.shortSide), o.flipProb, false, o.spec.mean(),
                o.spec.std(), o.spec.padDivisor(), 0f);
        SampleTransform transform = SampleTransform.finetune(new FinetunePipeline(aug));
        LoaderOptions lo = new LoaderOptions(o.batch, o.workers, Math.max(2, 2 * o.workers), true, true, o.seed);
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        graph.trainableNames().forEach(n -> trainable.put(n, graph.parameters().get(n)));
        TorchPredictor predictor = TorchPredictor.of(det);

        Path metricsFile = o.out.resolve("metrics.jsonl");
        Map<String, Double> first = null;
        Map<String, Double> last = Map.of();
        Path lastCkpt = null;
        boolean stopped = false;
        int skipped = 0;
        ProgressLine progress = new ProgressLine(log, s.iteration, total, o.logEvery);
        try (MetricsLog metrics = new MetricsLog(metricsFile, o.resume ? s.iteration : -1);
             StopSignal stop = new StopSignal(120)) {
            epochs:
            for (int epoch = s.epoch; s.iteration < total; epoch++) {
                int firstBatch = epoch == s.epoch ? s.batchInEpoch : 0;
                try (BatchLoader loader = new BatchLoader(data.images(), transform, lo, epoch, firstBatch)) {
                    int[] order = loader.order();
                    while (loader.hasNext() && s.iteration < total) {
                        long t0 = System.nanoTime();
                        Batch batch = loader.next();
                        long t1 = System.nanoTime();
                        double lr = lrs.lr(s.iteration, epoch);
                        Map<String, Double> losses = step(batch, manager, det, loss, trainable, sgd, lr, s.iteration);
                        losses.put("data_time", (t1 - t0) / 1e9);
                        losses.put("time", (System.nanoTime() - t0) / 1e9);
                        first = first == null ? losses : first;
                        last = losses;
                        s.stepDone(epoch, batch.index() + 1);
                        if (s.iteration % o.logEvery == 0 || s.iteration == total) {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("iter", s.iteration);
                            row.put("epoch", epoch);
                            row.putAll(losses);
                            row.put("lr", lr);
                            metrics.log(row);
                        }
                        progress.update(s.iteration, epoch, losses, lr, 0);
                        boolean due = o.valEvery > 0 && s.iteration % o.valEvery == 0 || s.iteration == total;
                        if (validator != null && due) {
                            validate(predictor, graph, s, metrics, epoch);
                        }
                        boolean periodic = o.checkpointEvery > 0 && s.iteration % o.checkpointEvery == 0;
                        if (stop.requested() || periodic || s.iteration == total) {
                            lastCkpt = store.save(s.iteration, s.checkpoint(graph, sgd, order).toRoot());
                        }
                        if (stop.requested()) {
                            log.printf("%nfinetune: stopped by signal at iteration %d; resume with --resume%n", s.iteration);
                            stopped = true;
                            break epochs;
                        }
                    }
                    skipped += loader.skipped().size();
                    loader.skipped().forEach(k -> log.printf("finetune: skipped %s (%s)%n", k.file(), k.reason()));
                    if (s.batchInEpoch >= batchesPerEpoch) {
                        s.nextEpoch(epoch + 1);
                        if (o.iters <= 0 && s.iteration < total) {
                            lastCkpt = store.save(s.iteration, s.checkpoint(graph, sgd, order).toRoot());
                        }
                    }
                }
            }
            stop.done();
        }
        Path lastModel = null;
        if (!stopped) {
            lastModel = o.out.resolve("last.pth");
            org.aligndet.bridge.checkpoint.TorchCheckpoint.write(lastModel, FinetuneCheckpoint.slimRoot(graph.stateDict(), s.meta()));
            log.printf("finetune: wrote %s%s%n", lastModel, s.bestPath == null ? "" : " and " + s.bestPath);
        }
        Path curve = o.out.resolve("loss_curve.png");
        LossCurve.write(curve, MetricsLog.read(metricsFile), "Fine-tuning (" + o.recipe + "): " + o.spec.name());
        return new Result(s.iteration, total, stopped, lastCkpt, lastModel, s.bestPath, s.bestScore, s.lastValidation,
                metricsFile, curve, init, first == null ? Map.of() : first, last, data.images().size(), skipped);
    }

    private void validate(TorchPredictor predictor, TorchGraph graph, FinetuneState s, MetricsLog metrics, int epoch)
            throws IOException {
        ValidationResult v = validator.validate(predictor, s.iteration);
        s.lastValidation = v;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("iter", s.iteration);
        row.put("epoch", epoch);
        row.put("mode", "val");
        row.putAll(v.metrics());
        metrics.log(row);
        double score = v.primaryValue();
        boolean better = Double.isNaN(s.bestScore) || score > s.bestScore;
        log.printf("%nfinetune: validation at iteration %d: %s = %.4f%s%n", s.iteration, v.primary(), score,
                better ? " (best so far)" : String.format(" (best %.4f at %d)", s.bestScore, s.bestIter));
        if (better) {
            s.bestScore = score;
            s.bestIter = s.iteration;
            s.bestPath = o.out.resolve("best.pth");
            org.aligndet.bridge.checkpoint.TorchCheckpoint.write(s.bestPath, FinetuneCheckpoint.slimRoot(graph.stateDict(), s.meta()));
        }
    }

    private Map<String, Double> step(Batch batch, NDManager manager, DenseDetector det, SupervisedLoss loss,
                                     Map<String, NDArray> trainable, Sgd sgd, double lr, long iteration) {
        List<GtBoxes> gts = new ArrayList<>();
        List<int[]> padShapes = new ArrayList<>();
        for (Batch.Sample smp : batch.samples()) {
            View v = smp.views().get(0);
            gts.add(GtBoxes.trainable(v.boxes(), smp.record().instances()));
            padShapes.add(new int[] {v.image().height(), v.image().width()});
        }
        Map<String, Double> values;
        try (NDManager it = manager.newSubManager()) {
            NDArray x = batch.views().get(0).toNd(it);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                HeadOutputs out = det.head(x, true, true);
                NDList logits = det.classify(out.clsFeats(), true);
                LossTerms terms = loss.compute(out, logits, gts, padShapes);
                NDArray total = terms.total();
                values = new LinkedHashMap<>(terms.values());
                values.put("loss", (double) total.getFloat());
                if (!Double.isFinite(values.get("loss"))) {
                    throw new TrainingDivergedException("loss is " + values.get("loss") + " at iteration " + iteration
                            + " (" + values + "); the last good checkpoint in " + o.out.resolve("checkpoints")
                            + " is kept. Lower --lr or check the annotations.");
                }
                gc.backward(total);
            }
            Map<String, NDArray> grads = Gradients.of(trainable);
            values.put("grad_norm", GradClip.clip(grads, o.gradClip));
            sgd.step(trainable, grads, lr);
            Gradients.release(grads, trainable.values());
        }
        return values;
    }


    /** The family's supervised loss behind one signature. */
    @FunctionalInterface
    interface SupervisedLoss {
        LossTerms compute(HeadOutputs head, List<NDArray> logits, List<GtBoxes> gts, List<int[]> padShapes);

        static SupervisedLoss of(org.aligndet.trainer.spec.ModelSpec spec) {
            if (spec.family() == Family.RETINANET) {
                RetinaNetLoss l = RetinaNetLoss.fromSpec(spec);
                return l::compute;
            }
            FcosLoss l = FcosLoss.fromSpec(spec);
            return (head, logits, gts, pads) -> l.compute(head, logits, gts);
        }
    }
}
