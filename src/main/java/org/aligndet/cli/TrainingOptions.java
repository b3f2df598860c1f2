package org.aligndet.cli;

import org.aligndet.trainer.run.TrainOptions;
import picocli.CommandLine.Option;

/**
 * The options every training command shares (length, SGD recipe, checkpoints, resume), one name per
 * concept. Values outside their range are usage errors when parsed ({@link Ranges}).
 */
final class TrainingOptions {
    @Option(names = "--iters", paramLabel = "N", converter = Ranges.AtLeastOneLong.class,
            description = "train N iterations in all, at least 1, lr steps placed on them (default: the recipe's epochs)")
    Long iters;

    @Option(names = "--max-iters", hidden = true, paramLabel = "N", converter = Ranges.AtLeastOneLong.class,
            description = "old name of --iters (default: the recipe's epochs)")
    void maxIters(long n) {
        iters = n;
    }

    @Option(names = "--epochs", paramLabel = "N", converter = Ranges.AtLeastOne.class,
            description = "train N epochs when --iters is not given (default: the recipe's)")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "N", converter = Ranges.AtLeastOne.class, description = "images per iteration (default: the recipe's)")
    Integer batch;

    @Option(names = "--lr", paramLabel = "LR", converter = Ranges.Positive.class, description = "base learning rate, above 0 (default: the recipe's)")
    Double lr;

    @Option(names = "--weight-decay", paramLabel = "WD", converter = Ranges.WeightDecay.class,
            description = "SGD weight decay in [0, 1) (default: the recipe's)")
    Double weightDecay;

    @Option(names = "--warmup-iters", paramLabel = "N", converter = Ranges.NonNegative.class,
            description = "linear warm-up iterations (default: the recipe's)")
    Integer warmupIters;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0", converter = Ranges.NonNegative.class,
            description = "also checkpoint every N iterations; 0: at each epoch's end and the run's (default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "3", converter = Ranges.AtLeastOne.class,
            description = "iteration checkpoints kept (default: ${DEFAULT-VALUE})")
    int keep;

    @Option(names = "--resume", description = "continue the run in --out from its latest checkpoint (default: off)")
    boolean resume;

    @Option(names = "--overwrite", description = "start afresh in an --out that holds a run, its files removed first (default: off)")
    boolean overwrite;

    @Option(names = "--log-every", paramLabel = "N", defaultValue = "10", converter = Ranges.AtLeastOne.class,
            description = "a metrics line every N iterations (default: ${DEFAULT-VALUE})")
    int logEvery;

    /** Overrides the recipe's values that were given. */
    void applyTo(TrainOptions o) {
        if (iters != null) {
            o.iters = iters;
        }
        if (epochs != null) {
            o.epochs = epochs;
        }
        if (batch != null) {
            o.batch = batch;
        }
        if (lr != null) {
            o.lr = lr;
        }
        if (weightDecay != null) {
            o.weightDecay = weightDecay;
        }
        if (warmupIters != null) {
            o.warmupIters = warmupIters;
            o.warmupGiven = true;
        }
        o.checkpointEvery = checkpointEvery;
        o.keepCheckpoints = keep;
        o.resume = resume;
        o.overwrite = overwrite;
        o.logEvery = logEvery;
    }
}
