package org.aligndet.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.optim.Sgd;
import org.aligndet.trainer.run.Gradients;
import org.aligndet.trainer.run.StepSections;
import org.aligndet.trainer.run.TrainOptions;
import org.aligndet.trainer.run.TrainingLoop;
import org.aligndet.trainer.run.TrainingTask;

/**
 * A training step against its graph calls alone, side by side in one process.
 *
 * <ul>
 *   <li>{@code full_step}: {@link TrainingLoop#step} exactly as training takes it: the batch handed
 *   to libtorch, the stage's forwards, every Java-side part (assignment, sampling, projector, losses),
 *   backward, gradient clipping, SGD, the after-step hook (EMA).
 *   <li>{@code graph_only}: the same stage forwards on the same (already resident) input tensors, with
 *   the same autograd settings, and backward from a trivial loss (the sum of the outputs' means); the
 *   gradients are cleared after it, as any loop must. No assignment, loss, optimiser or EMA.
 * </ul>
 * {@code overhead = median(full_step) / median(graph_only) - 1} is what the Java-side orchestration
 * costs on top of libtorch's own work. The phases of the full step (forward with the Java-side
 * parts, backward, optimiser, after-step) are reported as shares of it, and in seconds per step beside
 * the graph-only step's forward and backward ({@code full_forward_s}, {@code graph_only_forward_s},
 * ...), with the forward's named parts where the task marks them ({@link StepSections}: {@code graph},
 * {@code targets}, {@code losses}), so that the overhead can be attributed.
 */
public final class StepBench {
    /** How many timed and untimed runs, in blocks of how many. */
    public record Settings(int warmup, int iters, int block) {
        public Settings {
            if (iters < 1 || warmup < 0 || block < 1) {
                throw new IllegalArgumentException("bench: --iters must be >= 1, --warmup >= 0 (got " + iters + ", " + warmup + ")");
            }
        }
    }

    private StepBench() {
    }

    /**
     * @param graphOnly the stage's graph calls on resident input tensors (one per view of the batch),
     *                  returning the trivial loss to backpropagate
     */
    public static BenchResult run(String name, TrainOptions o, TrainingTask task, List<Batch> batches,
                                  BiFunction<List<NDArray>, NDManager, NDArray> graphOnly, Settings s, PrintStream log)
            throws Exception {
        TrainingLoop loop = new TrainingLoop(o, log);
        TrainingLoop.Phases phases = new TrainingLoop.Phases();
        phases.faultCounter = () -> ProcStats.now().minorFaults();
        Map<String, NDArray> params = task.trainable();
        try (Sgd sgd = new Sgd(o.momentum, o.weightDecay); NDManager inputs = task.manager().newSubManager()) {
            List<List<NDArray>> resident = batches.stream()
                    .map(b -> b.views().stream().map(v -> v.toNd(inputs)).toList()).toList();
            long[] step = {0};
            long[] javaAlloc = {0, 0}; // bytes over the timed runs: full step, graph only
            double[] graphOnlyPhases = {0, 0, 0}; // seconds over the timed runs: forward, backward; runs
            SideBySide sbs = new SideBySide()
                    .add("full_step", run -> {
                        Batch b = batches.get(Math.floorMod(run, batches.size()));
                        long a0 = ProcStats.javaAllocatedBytes();
                        loop.step(task, b, sgd, o.lr, step[0]++, run >= 0 ? phases : null);
                        javaAlloc[0] += run >= 0 ? ProcStats.javaAllocatedBytes() - a0 : 0;
                    })
                    .add("graph_only", run -> {
                        long a0 = ProcStats.javaAllocatedBytes();
                        List<NDArray> views = resident.get(Math.floorMod(run, batches.size()));
                        try (NDManager scope = task.manager().newSubManager()) {
                            // the graph's outputs attach to their inputs' manager: with the views in the run's
                            // scope for its length they are freed with it, and the views go back to `inputs`
                            views.forEach(v -> v.tempAttach(scope));
                            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                                long t0 = System.nanoTime();
                                NDArray loss = graphOnly.apply(views, scope);
                                long t1 = System.nanoTime();
                                gc.backward(loss);
                                if (run >= 0) {
                                    graphOnlyPhases[0] += (t1 - t0) / 1e9;
                                    graphOnlyPhases[1] += (System.nanoTime() - t1) / 1e9;
                                    graphOnlyPhases[2]++;
                                }
                            }
                            Gradients.release(Gradients.of(params), params.values());
                        }
                        javaAlloc[1] += run >= 0 ? ProcStats.javaAllocatedBytes() - a0 : 0;
                    });
            log.printf(Locale.ROOT, "%s: %d warm-up and %d timed runs of each variant, in alternating blocks of %d%n", name,
                    s.warmup(), s.iters(), s.block());
            int before = arraysIn(task.manager(), inputs);
            Map<String, Timing> t = sbs.measure(s.warmup(), s.iters(), s.block());
            int after = arraysIn(task.manager(), inputs);
            BenchResult r = new BenchResult(name).variants(t);
            r.ratio("overhead", t.get("full_step").median() / t.get("graph_only").median() - 1);
            // arrays a step leaves in the task's long-lived manager or beside the resident batches: each keeps its
            // memory (and autograd history) for the whole run
            r.figure("arrays_left_per_step", before < 0 || after < 0 ? -1.0 : (double) (after - before) / (s.warmup() + s.iters()));
            Timing full = t.get("full_step");
            double sum = phases.forward + phases.backward + phases.optimiser + phases.afterStep;
            if (sum > 0) {
                r.figure("phase_forward_share", phases.forward / sum);
                r.figure("phase_backward_share", phases.backward / sum);
                r.figure("phase_optimiser_share", phases.optimiser / sum);
                r.figure("phase_after_step_share", phases.afterStep / sum);
            }
            if (phases.steps > 0 && graphOnlyPhases[2] > 0) {
                // seconds per step: the full step's phases and its forward's named parts, beside the graph-only
                // step's forward and backward, so that the overhead can be attributed
                int n = phases.steps;
                r.figure("full_forward_s", phases.forward / n);
                phases.forwardSections.forEach((part, sec) -> r.figure("full_forward_" + part + "_s", sec / n));
                r.figure("full_backward_s", phases.backward / n);
                r.figure("full_optimiser_s", phases.optimiser / n);
                r.figure("full_after_step_s", phases.afterStep / n);
                r.figure("graph_only_forward_s", graphOnlyPhases[0] / graphOnlyPhases[2]);
                r.figure("graph_only_backward_s", graphOnlyPhases[1] / graphOnlyPhases[2]);
            }
            if (phases.steps > 0 && ProcStats.now().available()) {
                // where the full step's faults fall (all timed steps, the first of each block included)
                r.figure("phase_forward_faults_per_step", (double) phases.forwardFaults / phases.steps);
                r.figure("phase_backward_faults_per_step", (double) phases.backwardFaults / phases.steps);
                r.figure("phase_optimiser_faults_per_step", (double) phases.optimiserFaults / phases.steps);
                r.figure("phase_after_step_faults_per_step", (double) phases.afterStepFaults / phases.steps);
            }
            Timing g = t.get("graph_only");
            if (ProcStats.javaAllocatedBytes() >= 0) {
                // Java heap allocated per step, all threads (the assignment runs in a pool): exact, unlike the faults
                r.figure("java_alloc_mb_per_full_step", javaAlloc[0] / 1048576.0 / full.runs());
                r.figure("java_alloc_mb_per_graph_only_step", javaAlloc[1] / 1048576.0 / g.runs());
            }
            if (full.faultsPerRun() >= 0 && g.faultsPerRun() > 0) {
                r.figure("faults_ratio", full.faultsPerRun() / g.faultsPerRun());
            }
            if (full.steadyFaultsPerRun() >= 0 && g.steadyFaultsPerRun() > 0) {
                r.figure("steady_faults_ratio", full.steadyFaultsPerRun() / g.steadyFaultsPerRun());
            }
            return r;
        }
    }

    /**
     * The arrays attached to {@code m} itself (DJL keeps them in {@code BaseNDManager.resources}; read
     * by reflection, -1 where that fails): a step that leaves arrays there leaks memory run-long.
     */
    static int arraysIn(NDManager... managers) {
        try {
            java.lang.reflect.Field f = ai.djl.ndarray.BaseNDManager.class.getDeclaredField("resources");
            f.setAccessible(true);
            int n = 0;
            for (NDManager m : managers) {
                n += (int) ((Map<?, ?>) f.get(m)).values().stream().filter(v -> v instanceof NDArray).count();
            }
            return n;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Fixed RoI rows {@code (image, x1, y1, x2, y2)}, {@code perImage} per image of {@code images}
     * {@code [N, 3, H, W]}: a grid of quarter-size boxes, for two-stage graph-only steps.
     */
    public static float[] gridRois(NDArray images, int perImage) {
        long[] s = images.getShape().getShape();
        int n = (int) s[0];
        float h = s[2], w = s[3];
        float[] out = new float[5 * n * perImage];
        for (int b = 0, r = 0; b < n; b++) {
            for (int i = 0; i < perImage; i++, r++) {
                float fx = (i % 16) / 16f, fy = ((i / 16) % 16) / 16f;
                out[5 * r] = b;
                out[5 * r + 1] = fx * w / 2;
                out[5 * r + 2] = fy * h / 2;
                out[5 * r + 3] = fx * w / 2 + w / 4 + 8;
                out[5 * r + 4] = fy * h / 2 + h / 4 + 8;
            }
        }
        return out;
    }

    /** The trivial loss of the graph-only variant: the sum of each output's mean (every output reaches backward). */
    public static NDArray trivialLoss(List<NDArray> outputs) {
        NDArray sum = null;
        for (NDArray a : outputs) {
            NDArray m = a.mean();
            sum = sum == null ? m : sum.add(m);
        }
        if (sum == null) {
            throw new IllegalStateException("graph-only step: the graph returned no output");
        }
        return sum;
    }
}
