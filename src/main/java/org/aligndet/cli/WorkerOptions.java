package org.aligndet.cli;

import picocli.CommandLine.Option;

/**
 * {@code --workers} of the commands that fan work out over a thread pool ({@code synth},
 * {@code proposals}); their output does not depend on it. {@code --threads} was their old name and
 * stays as a hidden alias: elsewhere {@code --threads} means libtorch threads only.
 */
final class WorkerOptions {
    @Option(names = "--workers", paramLabel = "N", converter = Ranges.AtLeastOne.class,
            description = "worker threads; the output does not depend on them (default: all cores)")
    Integer workers;

    @Option(names = "--threads", hidden = true, paramLabel = "N", converter = Ranges.AtLeastOne.class,
            description = "old name of --workers (default: all cores)")
    void threads(int n) {
        workers = n;
    }

    /** The number given, or the number of cores. */
    int count() {
        return workers != null ? workers : Runtime.getRuntime().availableProcessors();
    }
}
