package org.aligndet.trainer.run;

import java.nio.file.Path;
import org.aligndet.trainer.optim.LrSchedule;
import org.aligndet.trainer.spec.Recipe;

/**
 * What every training stage shares: its run folder, its length, its SGD recipe and how it runs.
 * The stages' own options extend it; the command line fills it through one set of options.
 *
 * <p>Length: {@link #iters} {@code > 0} runs that many iterations (epochs roll over as needed);
 * otherwise {@link #epochs} whole epochs. Learning-rate steps are the recipe's epochs, placed on the
 * iterations when the run is iteration-based and {@link #scaleStepsToIters} (see {@link LrSchedule}).
 * The recipe's warm-up is then capped at {@link #MAX_WARMUP_SHARE} of the run (a warm-up given
 * explicitly is kept as given).
 */
public class TrainOptions {
    /** The largest share of an iteration-based run the recipe's warm-up may take. */
    public static final double MAX_WARMUP_SHARE = 0.1;

    /** The run folder: checkpoints, metrics, curves and the stage's results. */
    public Path out;

    public int epochs;
    /** Run this many iterations (0: {@link #epochs} decide). */
    public long iters;
    public int batch;
    public double lr;
    public double weightDecay;
    public double momentum;
    public int warmupIters;
    /** The warm-up was given explicitly (not the recipe's): never capped. */
    public boolean warmupGiven;
    public double warmupRatio;
    /** Epochs after which the rate drops tenfold. */
    public int[] steps = new int[0];
    /** Clip the total gradient norm at this value (0: off). */
    public double gradClip;
    /** Place the recipe's step epochs on the iterations of an iteration-based run. */
    public boolean scaleStepsToIters = true;

    public String device = "auto";
    public long seed = 0;
    public boolean resume;
    /** Start afresh in a run folder that holds a run: its files are removed first. */
    public boolean overwrite;
    /** Data loader threads. */
    public int workers = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    /** libtorch intra-op threads (0: libtorch's default). */
    public int threads;
    /** Iteration checkpoints kept. */
    public int keepCheckpoints = 3;
    /** Also checkpoint every N iterations (0: at the end of each epoch and of the run). */
    public int checkpointEvery;
    public int logEvery = 10;
    /** Iterations between progress lines when not on a terminal; 0: every {@link #logEvery}. */
    public int progressEvery = 0;
    /**
     * The run's resolved settings as JSON ({@link RunConfig}), or null: written to the run folder's
     * {@code config.json} when the run claims it; the stages put it into their checkpoints' {@code meta.config}.
     */
    public String config;

    /** Copies a recipe's SGD settings and length. */
    public void applyRecipe(Recipe r) {
        epochs = r.epochs();
        batch = r.batch();
        lr = r.lr();
        weightDecay = r.weightDecay();
        momentum = r.momentum();
        warmupIters = r.warmupIters();
        warmupRatio = r.warmupRatio();
        steps = r.steps().stream().mapToInt(Integer::intValue).toArray();
    }

    /** Iterations of the run for an epoch of {@code batchesPerEpoch} batches. */
    public long totalIterations(int batchesPerEpoch) {
        return iters > 0 ? iters : (long) batchesPerEpoch * epochs;
    }

    /** Whether the schedules are placed on the run's iterations rather than on epochs. */
    public boolean sizedToIterations() {
        return iters > 0 && scaleStepsToIters;
    }

    /** Warm-up iterations of a run of {@code total} iterations. */
    public int warmupFor(long total) {
        if (!sizedToIterations() || warmupGiven) {
            return warmupIters;
        }
        return (int) Math.min(warmupIters, Math.max(1, Math.round(total * MAX_WARMUP_SHARE)));
    }

    /** The learning-rate schedule of a run of {@code total} iterations. */
    public LrSchedule lrSchedule(long total) {
        return sizedToIterations()
                ? LrSchedule.byIteration(lr, warmupFor(total), warmupRatio, steps, epochs, total)
                : LrSchedule.byEpoch(lr, warmupIters, warmupRatio, steps);
    }
}
