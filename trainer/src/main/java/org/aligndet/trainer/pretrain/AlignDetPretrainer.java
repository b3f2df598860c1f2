package org.aligndet.trainer.pretrain;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
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
import java.util.SplittableRandom;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.bridge.torch.LoadReport;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.augment.AugmentConfig;
import org.aligndet.trainer.augment.BoxList;
import org.aligndet.trainer.augment.TwoViewPipeline;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.loader.BatchLoader;
import org.aligndet.trainer.loader.LoaderOptions;
import org.aligndet.trainer.loader.SampleTransform;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.Projector;
import org.aligndet.trainer.model.WeightImport;
import org.aligndet.trainer.optim.Ema;
import org.aligndet.trainer.optim.GradClip;
import org.aligndet.trainer.optim.MomentumSchedule;
import org.aligndet.trainer.optim.Sgd;
import org.aligndet.trainer.optim.WarmupStepSchedule;
import org.aligndet.trainer.run.CheckpointStore;
import org.aligndet.trainer.run.Gradients;
import org.aligndet.trainer.run.LossCurve;
import org.aligndet.trainer.run.MetricsLog;
import org.aligndet.trainer.run.ProgressLine;
import org.aligndet.trainer.run.StopSignal;
import org.aligndet.trainer.spec.Family;

/**
 * AlignDet's box-domain pre-training of a dense detector (RetinaNet, FCOS): the backbone is frozen,
 * the neck and head are trained without labels on selective-search proposals.
 *
 * <p>Per iteration: two augmented views of each image; the online detector sees view 1 with
 * gradients, the momentum detector view 2 without; each detector assigns its priors to the
 * proposals with its own rule; up to {@code samplesPerImage} priors per image are sampled
 * (positives first); the Java projector embeds them; {@link AlignDetObjective} adds the box
 * contrastive loss and the detector's regression losses; SGD steps the online detector and
 * projector; the momentum detector and projector follow by EMA with the cosine momentum schedule.
 */
public final class AlignDetPretrainer {
    private final PretrainOptions o;
    private final PrintStream log;

    public AlignDetPretrainer(PretrainOptions options, PrintStream log) {
        this.o = options;
        this.log = log;
    }

    /** What a finished (or stopped) run did. */
    public record Result(long iterations, long totalIterations, boolean stopped, Path lastCheckpoint,
                         Path pretrained, Path metrics, Path curve, Map<String, Double> firstLosses,
                         Map<String, Double> lastLosses, int skippedImages) {
    }

    public Result run() throws IOException {
        Device device = Devices.resolveAndLog(o.device);
        log.printf("pretrain: %s on %s, proposals %s%n", o.spec.name(), Devices.describe(device), o.proposals);
        List<ImageRecord> records = proposalImages();
        int batchesPerEpoch = records.size() / o.batch;
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException(o.proposals + ": " + records.size() + " usable images, fewer than one batch of " + o.batch);
        }
        long total = (long) batchesPerEpoch * o.epochs;
        if (o.maxIters > 0) {
            total = Math.min(total, o.maxIters);
        }
        Files.createDirectories(o.out);
        CheckpointStore store = new CheckpointStore(o.out.resolve("checkpoints"), o.keepCheckpoints);
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) o.seed);

        try (NDManager manager = NDManager.newBaseManager(device, "PyTorch");
             TorchGraph online = TorchGraph.load(o.graph, device, DenseDetector.METHODS)) {
            loadBackbone(online);
            online.freezePrefixes("backbone.");
            online.freeze(n -> n.endsWith("running_mean") || n.endsWith("running_var"));
            online.setTraining(true);
            int kernel = o.spec.family() == Family.FCOS ? 3 : 1;
            Projector projector = Projector.create(manager, o.spec.headChannels(), o.spec.anchorsPerLocation(),
                    o.projectorDim(), kernel, o.seed);
            try (TorchGraph momentum = online.copyFrozen(); Sgd sgd = new Sgd(o.momentum, o.weightDecay)) {
                momentum.setTraining(true);
                Projector momentumProjector = projector.frozenCopy(manager);
                State s = new State();
                if (o.resume) {
                    resume(store, online, momentum, projector, momentumProjector, sgd, manager, s);
                }
                return loop(records, batchesPerEpoch, total, store, manager, online, momentum, projector,
                        momentumProjector, sgd, s);
            }
        }
    }

    /** Where the loop is: advanced as it goes, restored on resume. */
    private static final class State {
        long iteration;
        int epoch;
        int batchInEpoch;
    }

    private List<ImageRecord> proposalImages() {
        List<ImageRecord> all = CocoReader.readProposals(o.proposals, o.images).images();
        List<ImageRecord> usable = new ArrayList<>();
        for (ImageRecord r : all) {
            if (!r.instances().isEmpty()) {
                usable.add(r);
            }
        }
        if (usable.size() < all.size()) {
            log.printf("pretrain: %d of %d images have no proposal and are left out%n", all.size() - usable.size(), all.size());
        }
        return usable;
    }

    private void loadBackbone(TorchGraph online) throws IOException {
        if (o.backbone == null) {
            log.println("pretrain: no --backbone given: the graph's own backbone weights are used (frozen)");
            return;
        }
        WeightImport.Mapped mapped = WeightImport.toGraphNames(TorchCheckpoint.readStateDict(o.backbone));
        Map<String, HostTensor> bb = WeightImport.under(mapped.tensors(), "backbone.");
        LoadReport r = online.load(bb);
        List<String> missing = r.missing().stream().filter(n -> n.startsWith("backbone.")).toList();
        if (!missing.isEmpty() || !r.mismatched().isEmpty()) {
            throw new IllegalArgumentException(o.backbone + ": does not fit " + o.spec.name() + "'s backbone: missing "
                    + head(missing) + ", shape mismatches " + head(r.mismatched()));
        }
        log.printf("pretrain: backbone from %s: %d tensors loaded, %d dropped%n", o.backbone, r.loaded().size(),
                mapped.dropped().size());
    }

    private static String head(List<String> names) {
        return names.size() <= 8 ? names.toString() : names.subList(0, 8) + " and " + (names.size() - 8) + " more";
    }

    private Result loop(List<ImageRecord> records, int batchesPerEpoch, long total, CheckpointStore store, NDManager manager,
                        TorchGraph online, TorchGraph momentum, Projector projector, Projector momentumProjector,
                        Sgd sgd, State s) throws IOException {
        DenseDetector onlineDet = new DenseDetector(o.spec, online);
        DenseDetector momentumDet = new DenseDetector(o.spec, momentum);
        TargetBuilder targets = new TargetBuilder(o.spec, o.samplesPerImage);
        AlignDetObjective objective = new AlignDetObjective(o.spec.family(), o.temperature);
        WarmupStepSchedule lrs = new WarmupStepSchedule(o.lr, o.warmupIters, o.warmupRatio, o.steps, 0.1);
        MomentumSchedule ms = new MomentumSchedule(o.emaBase, (long) batchesPerEpoch * o.epochs);
        AugmentConfig aug = new AugmentConfig(o.longSide, o.shortSides, o.flipProb, o.photometric, o.spec.mean(), o.spec.std(),
                o.spec.padDivisor(), 0f);
        SampleTransform twoView = SampleTransform.twoView(new TwoViewPipeline(aug));
        LoaderOptions lo = new LoaderOptions(o.batch, o.workers, Math.max(2, 2 * o.workers), true, true, o.seed);
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        online.trainableNames().forEach(n -> trainable.put(n, online.parameters().get(n)));
        Map<String, NDArray> momentumTrainable = new LinkedHashMap<>();
        trainable.keySet().forEach(n -> momentumTrainable.put(n, momentum.parameters().get(n)));
        log.printf("pretrain: %d trainable tensors (neck, head), projector %s, %d images, %d iterations/epoch, %d in all%n",
                trainable.size(), projector.parameters().keySet(), records.size(), batchesPerEpoch, total);

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
            for (int epoch = s.epoch; epoch < o.epochs && s.iteration < total; epoch++) {
                int firstBatch = epoch == s.epoch ? s.batchInEpoch : 0;
                try (BatchLoader loader = new BatchLoader(records, twoView, lo, epoch, firstBatch)) {
                    int[] order = loader.order();
                    while (loader.hasNext() && s.iteration < total) {
                        Batch batch = loader.next();
                        double lr = lrs.lr((int) s.iteration, epoch);
                        double m = ms.at(s.iteration);
                        Map<String, Double> losses = step(batch, manager, onlineDet, momentumDet, targets, objective,
                                projector, momentumProjector, trainable, momentumTrainable, sgd, lr, m, s.iteration);
                        if (first == null) {
                            first = losses;
                        }
                        last = losses;
                        s.iteration++;
                        s.epoch = epoch;
                        s.batchInEpoch = batch.index() + 1;
                        if (s.iteration % o.logEvery == 0 || s.iteration == total) {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("iter", s.iteration);
                            row.put("epoch", epoch);
                            row.putAll(losses);
                            row.put("lr", lr);
                            row.put("momentum", m);
                            metrics.log(row);
                        }
                        progress.update(s.iteration, epoch, losses, lr, m);
                        boolean periodic = o.checkpointEvery > 0 && s.iteration % o.checkpointEvery == 0;
                        if (stop.requested() || periodic) {
                            lastCkpt = save(store, online, momentum, projector, momentumProjector, sgd, s, order, total);
                        }
                        if (stop.requested()) {
                            log.printf("%npretrain: stopped by signal at iteration %d; resume with --resume%n", s.iteration);
                            stopped = true;
                            break epochs;
                        }
                    }
                    skipped += loader.skipped().size();
                    loader.skipped().forEach(k -> log.printf("pretrain: skipped %s (%s)%n", k.file(), k.reason()));
                    if (s.batchInEpoch >= batchesPerEpoch) {
                        s.epoch = epoch + 1;
                        s.batchInEpoch = 0;
                    }
                    lastCkpt = save(store, online, momentum, projector, momentumProjector, sgd, s, order, total);
                }
            }
            stop.done();
        }
        Path pretrained = null;
        if (!stopped) {
            pretrained = savePretrained(store, online, projector, s, total);
        }
        Path curve = o.out.resolve("loss_curve.png");
        LossCurve.write(curve, MetricsLog.read(metricsFile), "AlignDet pre-training: " + o.spec.name());
        return new Result(s.iteration, total, stopped, lastCkpt, pretrained, metricsFile, curve,
                first == null ? Map.of() : first, last, skipped);
    }

    private Map<String, Double> step(Batch batch, NDManager manager, DenseDetector onlineDet, DenseDetector momentumDet,
                                     TargetBuilder targets, AlignDetObjective objective, Projector projector,
                                     Projector momentumProjector, Map<String, NDArray> trainable,
                                     Map<String, NDArray> momentumTrainable, Sgd sgd, double lr, double m, long iteration) {
        SplittableRandom rng = new SplittableRandom(o.seed * 0x9E3779B97F4A7C15L + iteration);
        List<BoxList> boxes1 = new ArrayList<>();
        List<BoxList> boxes2 = new ArrayList<>();
        for (Batch.Sample smp : batch.samples()) {
            boxes1.add(smp.views().get(0).boxes());
            boxes2.add(smp.views().get(1).boxes());
        }
        Map<String, Double> values;
        try (NDManager it = manager.newSubManager()) {
            NDArray v1 = batch.views().get(0).toNd(it);
            NDArray v2 = batch.views().get(1).toNd(it);
            LossTerms terms;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                HeadOutputs out1 = onlineDet.head(v1, true, false);
                HeadOutputs out2 = momentumDet.head(v2, false, false);
                ViewTargets t1 = targets.build(out1.layout(), boxes1, rng);
                ViewTargets t2 = targets.build(out2.layout(), boxes2, rng);
                terms = objective.compute(out1, t1, projector, out2, t2, momentumProjector);
                NDArray total = terms.total();
                values = new LinkedHashMap<>(terms.values());
                values.put("loss", (double) total.getFloat());
                if (!Double.isFinite(values.get("loss"))) {
                    throw new TrainingDivergedException("loss is " + values.get("loss") + " at iteration " + iteration
                            + " (" + values + "); the last good checkpoint in " + o.out.resolve("checkpoints")
                            + " is kept. Lower --lr or check the proposals.");
                }
                values.put("positives", (double) t1.positives());
                gc.backward(total);
            }
            Map<String, NDArray> params = new LinkedHashMap<>(trainable);
            params.putAll(projector.parameters());
            Map<String, NDArray> grads = Gradients.of(params);
            values.put("grad_norm", GradClip.clip(grads, o.gradClip));
            sgd.step(params, grads, lr);
            Gradients.release(grads, params.values());
        }
        Ema.update(trainable, momentumTrainable, m);
        Ema.update(projector.parameters(), momentumProjector.parameters(), m);
        return values;
    }


    private Map<String, Object> meta(State s, long total, String stage) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("aligndet_version", "0.1.0");
        meta.put("spec", o.spec.name());
        meta.put("stage", stage);
        meta.put("aligndet_pretrained", true);
        meta.put("recipe", "aligndet-pretrain");
        meta.put("iter", s.iteration);
        meta.put("epoch", (long) s.epoch);
        meta.put("batch_in_epoch", (long) s.batchInEpoch);
        meta.put("total_iters", total);
        meta.put("epochs", (long) o.epochs);
        meta.put("batch", (long) o.batch);
        meta.put("lr", o.lr);
        meta.put("weight_decay", o.weightDecay);
        meta.put("temperature", o.temperature);
        meta.put("ema_base", o.emaBase);
        meta.put("samples_per_image", (long) o.samplesPerImage);
        meta.put("seed", o.seed);
        meta.put("backbone", o.backbone == null ? "" : o.backbone.toString());
        meta.put("proposals", o.proposals.toString());
        return meta;
    }

    private Path save(CheckpointStore store, TorchGraph online, TorchGraph momentum, Projector projector,
                      Projector momentumProjector, Sgd sgd, State s, int[] order, long total) throws IOException {
        PretrainCheckpoint c = new PretrainCheckpoint(online.stateDict(), meta(s, total, "pretrain"), projector.state(),
                momentum.stateDict(), momentumProjector.state(), sgd.state(), order);
        return store.save(s.iteration, c.toRoot());
    }

    /** The slim result for fine-tuning: detector weights, projector (dropped later), meta. */
    private Path savePretrained(CheckpointStore store, TorchGraph online, Projector projector, State s, long total) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", online.stateDict());
        root.put("meta", meta(s, total, "pretrain"));
        root.put("projector", projector.state());
        Path p = o.out.resolve("pretrained.pth");
        TorchCheckpoint.write(p, root);
        log.printf("pretrain: wrote %s%n", p);
        return p;
    }

    private void resume(CheckpointStore store, TorchGraph online, TorchGraph momentum, Projector projector,
                        Projector momentumProjector, Sgd sgd, NDManager manager, State s) throws IOException {
        Path latest = store.latest().orElseThrow(() -> new IllegalArgumentException(
                "--resume: no checkpoint in " + store.directory() + " (start without --resume)"));
        PretrainCheckpoint c = PretrainCheckpoint.fromRoot(TorchCheckpoint.read(latest), latest.toString());
        if (!o.spec.name().equals(c.meta().get("spec"))) {
            throw new IllegalArgumentException(latest + ": written for spec " + c.meta().get("spec") + ", not " + o.spec.name());
        }
        requireComplete(online.load(c.stateDict()), latest, "state_dict");
        requireComplete(momentum.load(c.momentumStateDict()), latest, "momentum.state_dict");
        copy(c.projector(), projector);
        copy(c.momentumProjector(), momentumProjector);
        sgd.loadState(c.optimizer(), manager);
        s.iteration = ((Number) c.meta().get("iter")).longValue();
        s.epoch = ((Number) c.meta().get("epoch")).intValue();
        s.batchInEpoch = ((Number) c.meta().get("batch_in_epoch")).intValue();
        log.printf("pretrain: resumed from %s at iteration %d (epoch %d, batch %d)%n", latest, s.iteration, s.epoch + 1, s.batchInEpoch);
    }

    private static void requireComplete(LoadReport r, Path file, String part) {
        if (!r.complete()) {
            throw new IllegalArgumentException(file + ": " + part + " does not match the graph: " + r
                    + " missing " + head(r.missing()) + " unexpected " + head(r.unexpected()) + " " + head(r.mismatched()));
        }
    }

    private static void copy(Map<String, HostTensor> state, Projector target) {
        target.parameters().forEach((k, v) -> {
            HostTensor t = state.get(k);
            if (t == null) {
                throw new IllegalArgumentException("checkpoint projector lacks " + k);
            }
            org.aligndet.bridge.torch.NdTensors.copyInto(v, t);
        });
    }
}
