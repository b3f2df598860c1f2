package org.aligndet.trainer.loader;

/**
 * How a {@link BatchLoader} cuts and prefetches an epoch.
 *
 * @param batchSize     images per batch (fewer in the last one unless {@code dropLast}, and fewer
 *                      where an image is skipped)
 * @param workers       threads decoding and augmenting; results never depend on it
 * @param prefetch      batches built ahead of the consumer at most (the queue's bound), {@code >= 1}
 * @param shuffle       whether the order is a permutation drawn from (seed, epoch)
 * @param dropLast      whether a final partial batch is left out
 * @param seed          the run's seed
 */
public record LoaderOptions(int batchSize, int workers, int prefetch, boolean shuffle, boolean dropLast, long seed) {
    public LoaderOptions {
        if (batchSize < 1 || workers < 1 || prefetch < 1) {
            throw new IllegalArgumentException("batchSize, workers and prefetch must be >= 1: " + batchSize + ", " + workers + ", " + prefetch);
        }
    }

    public static LoaderOptions of(int batchSize, int workers, long seed) {
        return new LoaderOptions(batchSize, workers, Math.max(2, 2 * workers), true, false, seed);
    }

    public LoaderOptions withWorkers(int n) {
        return new LoaderOptions(batchSize, n, Math.max(prefetch, 2 * n), shuffle, dropLast, seed);
    }
}
