package org.aligndet.trainer.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.loader.BatchLoader;
import org.aligndet.trainer.loader.LoaderOptions;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.optim.GradClip;
import org.aligndet.trainer.optim.LrSchedule;
import org.aligndet.trainer.optim.Sgd;

/**
 * The one training loop: every stage ({@link TrainingTask}) runs through it.
 *
 * <p>Per iteration: the loader's next batch (deterministic per seed, epoch and index); the task's
 * forward under a gradient collector; the divergence guard (a loss or gradient norm that is not
 * finite stops the run and keeps the last good checkpoint); backward; gradients clipped at
 * {@link TrainOptions#gradClip}; SGD with the warm-up/step schedule; the task's after-step hook.
 * Then a metrics line after the first iteration and every {@code logEvery} iterations, the progress line, a checkpoint when due
 * (every {@code checkpointEvery} iterations, at each epoch's end, at the run's end, on SIGINT/SIGTERM),
 * the task's evaluation when due. A stopped run resumes exactly where it stopped ({@code resume}).
 *
 * <p>Run folder: {@code checkpoints/iter_*.pth} (newest {@code keepCheckpoints} kept, {@code latest}
 * naming the newest), {@code metrics.jsonl}, {@code loss_curve.png}, and whatever the task writes.
 */
public final class TrainingLoop {
    private final TrainOptions o;
    private final PrintStream log;

    public TrainingLoop(TrainOptions options, PrintStream log) {
        this.o = options;
        this.log = log;
    }

    /** What a finished (or stopped) run did. */
    public record Result(long iterations, long totalIterations, boolean stopped, Path lastCheckpoint, Path metrics,
                         Path curve, Map<String, Double> firstLosses, Map<String, Double> lastLosses, int skippedImages) {
    }

    /**
     * What comes before a task is built: the run folder claimed ({@link RunFolder#claim}), the device
     * (logged), libtorch's threads, the seed of libtorch's generator.
     */
    public static Device prepare(TrainOptions o, PrintStream log) throws IOException {
        RunFolder.claim(o.out, o.resume, o.overwrite, log);
        RunConfig.write(o);
        return runtime(o);
    }

    /** The device (logged), libtorch's threads and the seed of libtorch's generator, as {@code o} asks; no run folder. */
    public static Device runtime(TrainOptions o) {
        Device device = Devices.resolveAndLog(o.device);
        if (o.threads > 0) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(o.threads);
        }
        Engine.getEngine("PyTorch").setRandomSeed((int) o.seed);
        return device;
    }

    /** Where the loop is: advanced as it goes, restored on resume. */
    private static final class State {
        long iteration;
        int epoch;
        int batchInEpoch;
        Path lastCheckpoint;
        Map<String, Double> first;
        Map<String, Double> last = Map.of();
        /** Unreadable images, each once however many epochs met it. */
        final java.util.Set<Path> skipped = new java.util.LinkedHashSet<>();
    }

    public Result run(TrainingTask task) throws IOException {
        int batchesPerEpoch = task.records().size() / o.batch;
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException(task.stage() + ": " + task.records().size() + " training images, fewer than one batch of "
                    + o.batch + " (lower --batch)");
        }
        long total = o.totalIterations(batchesPerEpoch);
        CheckpointStore store = new CheckpointStore(o.out.resolve("checkpoints"), o.keepCheckpoints);
        State s = new State();
        boolean stopped;
        Path metricsFile = o.out.resolve("metrics.jsonl");
        try (Sgd sgd = new Sgd(o.momentum, o.weightDecay)) {
            if (o.resume) {
                resume(store, task, sgd, s);
            }
            log.printf("%s: %d trainable tensors, %d images, %d iterations/epoch, %d in all%n", task.stage(),
                    task.trainable().size(), task.records().size(), batchesPerEpoch, total);
            try (MetricsLog metrics = new MetricsLog(metricsFile, o.resume ? s.iteration : -1);
                 StopSignal stop = new StopSignal(120)) {
                stopped = epochs(task, sgd, store, metrics, stop, s, batchesPerEpoch, total);
                stop.done();
            }
        }
        if (!stopped) {
            task.finish(s.iteration);
        }
        Path curve = o.out.resolve("loss_curve.png");
        LossCurve.write(curve, MetricsLog.read(metricsFile), task.title());
        return new Result(s.iteration, total, stopped, s.lastCheckpoint, metricsFile, curve,
                s.first == null ? Map.of() : s.first, s.last, s.skipped.size());
    }

    /** Runs epochs until {@code total} iterations or a stop signal; true when stopped. */
    private boolean epochs(TrainingTask task, Sgd sgd, CheckpointStore store, MetricsLog metrics, StopSignal stop, State s,
                           int batchesPerEpoch, long total) throws IOException {
        LrSchedule lrs = o.lrSchedule(total);
        LoaderOptions lo = new LoaderOptions(o.batch, o.workers, Math.max(2, 2 * o.workers), true, true, o.seed);
        ProgressLine progress = new ProgressLine(log, s.iteration, total, o.progressEvery > 0 ? o.progressEvery : o.logEvery);
        for (int epoch = s.epoch; s.iteration < total; epoch++) {
            int firstBatch = epoch == s.epoch ? s.batchInEpoch : 0;
            try (BatchLoader loader = new BatchLoader(task.records(), task.transform(), lo, epoch, firstBatch)) {
                int[] order = loader.order();
                while (loader.hasNext() && s.iteration < total) {
                    long t0 = System.nanoTime();
                    Batch batch = loader.next();
                    long t1 = System.nanoTime();
                    double lr = lrs.lr(s.iteration, epoch);
                    Map<String, Double> schedules = task.schedules(s.iteration);
                    Map<String, Double> values = step(task, batch, sgd, lr, s.iteration, null);
                    values.put("time", (System.nanoTime() - t0) / 1e9);
                    values.put("data_time", (t1 - t0) / 1e9);
                    s.first = s.first == null ? values : s.first;
                    s.last = values;
                    s.iteration++;
                    s.epoch = epoch;
                    s.batchInEpoch = batch.index() + 1;
                    if (s.iteration == 1 || s.iteration % o.logEvery == 0 || s.iteration == total) {
                        metrics.log(row(s, epoch, values, lr, schedules, null));
                    }
                    progress.update(s.iteration, epoch, values, lr, schedules.getOrDefault("momentum", 0.0));
                    boolean periodic = o.checkpointEvery > 0 && s.iteration % o.checkpointEvery == 0;
                    if (stop.requested() || periodic || s.iteration == total) {
                        s.lastCheckpoint = save(store, task, sgd, s, order, total);
                    }
                    if (!stop.requested() && task.evaluationDue(s.iteration, total)) {
                        evaluate(task, metrics, s, epoch);
                    }
                    if (stop.requested()) {
                        log.printf("%n%s: stopped by signal at iteration %d; resume with --resume%n", task.stage(), s.iteration);
                        return true;
                    }
                }
                loader.skipped().forEach(k -> {
                    if (s.skipped.add(k.file())) {
                        log.printf("%s: skipped %s (%s)%n", task.stage(), k.file(), k.reason());
                    }
                });
                if (s.batchInEpoch >= batchesPerEpoch) {
                    Map<String, Double> end = task.endOfEpoch(epoch);
                    if (!end.isEmpty()) {
                        metrics.log(row(s, epoch, end, null, Map.of(), "epoch"));
                    }
                    s.epoch = epoch + 1;
                    s.batchInEpoch = 0;
                    if (s.iteration < total) {
                        s.lastCheckpoint = save(store, task, sgd, s, order, total);
                    }
                }
            }
        }
        return false;
    }

    /**
     * The task's evaluation, after the checkpoint is written: a failure of any kind is logged and the
     * run goes on, so that evaluation can never cost the trained weights.
     */
    private void evaluate(TrainingTask task, MetricsLog metrics, State s, int epoch) {
        try {
            metrics.log(row(s, epoch, task.evaluate(s.iteration), null, Map.of(), "val"));
        } catch (IOException | RuntimeException e) {
            log.printf("%n%s: evaluation at iteration %d failed, training goes on (the weights are in %s): %s%n", task.stage(),
                    s.iteration, s.lastCheckpoint, e.getMessage());
            metrics.log(row(s, epoch, Map.of("evaluation_failed", 1.0), null, Map.of(), "val"));
        }
    }

    /** The phases of one step, in seconds, for the step benchmark: what {@link #step} adds to when given one. */
    public static final class Phases {
        /** The task's forward: data hand-off, graph forwards, targets, losses. */
        public double forward;
        /** Backward through the graph. */
        public double backward;
        /** Reading the gradients, clipping, SGD, clearing the gradients. */
        public double optimiser;
        /** The task's after-step hook (EMA). */
        public double afterStep;
        /** The process's minor page faults so far, or a negative number where unknown; read at each phase's ends. */
        public LongSupplier faultCounter = () -> -1;
        /** Page faults in each phase, summed over the steps (where {@link #faultCounter} knows them). */
        public long forwardFaults;
        public long backwardFaults;
        public long optimiserFaults;
        public long afterStepFaults;
        /** How many steps were added. */
        public int steps;
        /** Seconds of the forward's named parts ({@link StepSections}), summed over the steps, in the order first seen. */
        public final Map<String, Double> forwardSections = new LinkedHashMap<>();

        private long faults() {
            return faultCounter.getAsLong();
        }
    }

    /**
     * One optimisation step exactly as the loop takes it; returns the logged values (loss terms,
     * {@code loss}, the task's extras, {@code grad_norm}). Public for the step benchmark, which times
     * it against the graph calls alone.
     *
     * @param phases where to add the time of each phase, or {@code null}
     */
    public Map<String, Double> step(TrainingTask task, Batch batch, Sgd sgd, double lr, long iteration, Phases phases) {
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, Double> extras = new LinkedHashMap<>();
        Map<String, NDArray> params = task.trainable();
        long f0 = phases == null ? 0 : phases.faults();
        long f1 = 0;
        long f2 = 0;
        long t0 = System.nanoTime();
        long t1;
        long t2;
        try (NDManager scope = task.manager().newSubManager()) {
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                LossTerms terms;
                StepSections.open(phases == null ? null : phases.forwardSections); // null: nothing timed
                try {
                    terms = task.forward(batch, scope, iteration, extras);
                } finally {
                    StepSections.close();
                }
                NDArray loss = terms.total();
                values.putAll(terms.values());
                values.put("loss", (double) loss.getFloat());
                requireFinite("loss", values.get("loss"), values, task, iteration);
                values.putAll(extras);
                t1 = System.nanoTime();
                f1 = phases == null ? 0 : phases.faults();
                gc.backward(loss);
            }
            t2 = System.nanoTime();
            f2 = phases == null ? 0 : phases.faults();
            Map<String, NDArray> grads = Gradients.of(params);
            double norm = GradClip.clip(grads, o.gradClip);
            values.put("grad_norm", norm);
            requireFinite("the gradient norm", norm, values, task, iteration);
            sgd.step(params, grads, lr);
            Gradients.release(grads, params.values());
        }
        long t3 = System.nanoTime();
        long f3 = phases == null ? 0 : phases.faults();
        task.afterStep(iteration);
        if (phases != null) {
            long f4 = phases.faults();
            phases.steps++;
            phases.forwardFaults += f1 - f0;
            phases.backwardFaults += f2 - f1;
            phases.optimiserFaults += f3 - f2;
            phases.afterStepFaults += f4 - f3;
            phases.forward += (t1 - t0) / 1e9;
            phases.backward += (t2 - t1) / 1e9;
            phases.optimiser += (t3 - t2) / 1e9;
            phases.afterStep += (System.nanoTime() - t3) / 1e9;
        }
        return values;
    }

    private void requireFinite(String what, double v, Map<String, Double> values, TrainingTask task, long iteration) {
        if (!Double.isFinite(v)) {
            throw new TrainingDivergedException(what + " is " + v + " at iteration " + iteration + " (" + values
                    + "); the last good checkpoint in " + o.out.resolve("checkpoints") + " is kept. Lower --lr or check "
                    + task.inputsToCheck() + ".");
        }
    }

    private static Map<String, Object> row(State s, int epoch, Map<String, Double> values, Double lr,
                                           Map<String, Double> schedules, String mode) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("iter", s.iteration);
        row.put("epoch", epoch);
        if (mode != null) {
            row.put("mode", mode);
        }
        row.putAll(values);
        if (lr != null) {
            row.put("lr", lr);
        }
        row.putAll(schedules);
        return row;
    }

    /** The loop's part of every checkpoint's {@code meta}, after the task's. */
    private Map<String, Object> meta(TrainingTask task, State s, long total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("aligndet_version", "0.1.0");
        m.put("stage", task.stage());
        m.putAll(task.meta());
        m.put("iter", s.iteration);
        m.put("epoch", (long) s.epoch);
        m.put("batch_in_epoch", (long) s.batchInEpoch);
        m.put("total_iters", total);
        m.put("epochs", (long) o.epochs);
        m.put("iters", o.iters);
        m.put("batch", (long) o.batch);
        m.put("lr", o.lr);
        m.put("weight_decay", o.weightDecay);
        m.put("seed", o.seed);
        return m;
    }

    private Path save(CheckpointStore store, TrainingTask task, Sgd sgd, State s, int[] order, long total) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        task.save(root);
        Map<String, Object> meta = meta(task, s, total);
        root.put("meta", meta);
        ResumeParts.put(root, meta, sgd.state(), order);
        return store.save(s.iteration, root);
    }

    @SuppressWarnings("unchecked")
    private void resume(CheckpointStore store, TrainingTask task, Sgd sgd, State s) throws IOException {
        Path latest = store.latest().orElseThrow(() -> new IllegalArgumentException(
                "--resume: no checkpoint in " + store.directory() + " (start without --resume)"));
        Object read = TorchCheckpoint.read(latest);
        if (!(read instanceof Map)) {
            throw new IllegalArgumentException(latest + ": not a training checkpoint (top level is not a dict)");
        }
        Map<String, Object> root = (Map<String, Object>) read;
        for (String k : new String[] {"meta", "optimizer", "data_order"}) {
            if (!root.containsKey(k)) {
                throw new IllegalArgumentException(latest + ": not a resumable " + task.stage() + " checkpoint (no '" + k + "')");
            }
        }
        Map<String, Object> meta = (Map<String, Object>) root.get("meta");
        if (!task.stage().equals(meta.get("stage"))) {
            throw new IllegalArgumentException(latest + ": stage '" + meta.get("stage") + "', not a " + task.stage() + " checkpoint");
        }
        task.restore(root, latest);
        sgd.loadState(ResumeParts.optimizer(root), task.manager());
        s.iteration = ((Number) meta.get("iter")).longValue();
        s.epoch = ((Number) meta.get("epoch")).intValue();
        s.batchInEpoch = ((Number) meta.get("batch_in_epoch")).intValue();
        s.lastCheckpoint = latest;
        log.printf("%s: resumed from %s at iteration %d (epoch %d, batch %d)%n", task.stage(), latest, s.iteration, s.epoch + 1,
                s.batchInEpoch);
    }
}
