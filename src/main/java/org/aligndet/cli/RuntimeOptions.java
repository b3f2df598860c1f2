package org.aligndet.cli;

import org.aligndet.trainer.run.TrainOptions;
import picocli.CommandLine.Option;

/** Where and how a command computes: the torch device, libtorch threads, loader threads, the seed. */
final class RuntimeOptions {
    @Option(names = "--device", paramLabel = "DEV", defaultValue = "auto", converter = Ranges.DeviceName.class,
            description = "auto, cpu, cuda or cuda:N; auto takes GPU 0 when libtorch sees one (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", converter = Ranges.NonNegative.class,
            description = "libtorch CPU threads; 0: libtorch's default (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--workers", paramLabel = "N", converter = Ranges.AtLeastOne.class,
            description = "data loader threads (default: cores - 1, at least 1)")
    Integer workers;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    void applyTo(TrainOptions o) {
        o.device = device;
        o.threads = threads;
        if (workers != null) {
            o.workers = workers;
        }
        o.seed = seed;
    }
}
