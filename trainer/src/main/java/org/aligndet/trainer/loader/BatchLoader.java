package org.aligndet.trainer.loader;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.image.CorruptImageException;
import org.aligndet.trainer.image.ImageDecoder;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One epoch of batches, built by {@code workers} threads and handed out in order.
 *
 * <p>Determinism: the order is a Fisher-Yates permutation from a generator seeded by (seed,
 * epoch); image {@code i} of the record list is augmented with a generator seeded by (seed,
 * epoch, i); batch {@code k} holds positions {@code [k B, (k + 1) B)} of the order. Nothing
 * depends on which thread builds what, so any worker count yields identical batches.
 *
 * <p>Workers claim batches in order and at most {@code prefetch} batches exist unconsumed (a
 * semaphore is the queue's bound). An unreadable image is skipped, logged and listed by
 * {@link #skipped()}; a batch with no readable image is left out. Any other failure is rethrown
 * by {@link #next()}. {@link #close()} stops and joins the workers; the loader also shuts them
 * down when the epoch ends.
 */
public final class BatchLoader implements Iterator<Batch>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchLoader.class);
    private static final long SHUFFLE_INDEX = -1;

    private final List<ImageRecord> records;
    private final SampleTransform transform;
    private final LoaderOptions options;
    private final int epoch;
    private final int[] order;
    private final List<CompletableFuture<Batch>> futures;
    private final Semaphore permits;
    private final AtomicInteger nextToBuild = new AtomicInteger();
    private final ConcurrentLinkedQueue<SkippedImage> skipped = new ConcurrentLinkedQueue<>();
    private final ExecutorService pool;
    private int cursor;
    private Batch pending;
    private volatile boolean closed;

    public BatchLoader(List<ImageRecord> records, SampleTransform transform, LoaderOptions options, int epoch) {
        this(records, transform, options, epoch, 0);
    }

    /**
     * A loader that starts at batch {@code firstBatch} of the epoch (a resumed run): earlier batches
     * are neither decoded nor handed out, later ones are exactly those of an uninterrupted epoch.
     */
    public BatchLoader(List<ImageRecord> records, SampleTransform transform, LoaderOptions options, int epoch, int firstBatch) {
        this.records = List.copyOf(records);
        this.transform = transform;
        this.options = options;
        this.epoch = epoch;
        this.order = order(this.records.size(), options, epoch);
        int n = options.dropLast() ? order.length / options.batchSize() : (order.length + options.batchSize() - 1) / options.batchSize();
        this.futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(new CompletableFuture<>());
        }
        if (firstBatch < 0 || firstBatch > n) {
            throw new IllegalArgumentException("first batch " + firstBatch + " outside the epoch's " + n + " batches");
        }
        this.cursor = firstBatch;
        this.nextToBuild.set(firstBatch);
        this.permits = new Semaphore(options.prefetch());
        AtomicInteger threadNo = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "batch-loader-e" + epoch + "-" + threadNo.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        for (int w = 0; w < options.workers(); w++) {
            pool.execute(this::work);
        }
    }

    /** This epoch's order of record indices. */
    public int[] order() {
        return order.clone();
    }

    /** The epoch's order of record indices (all of them, before cutting into batches). */
    public static int[] order(int n, LoaderOptions options, int epoch) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (options.shuffle()) {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(options.seed(), epoch, SHUFFLE_INDEX));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        }
        return idx;
    }

    public int batchCount() {
        return futures.size();
    }

    private void work() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                permits.acquire();
                int b = nextToBuild.getAndIncrement();
                if (b >= futures.size()) {
                    permits.release();
                    return;
                }
                try {
                    futures.get(b).complete(build(b));
                } catch (Throwable t) {
                    futures.get(b).completeExceptionally(t);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Batch build(int b) {
        int from = b * options.batchSize();
        int to = Math.min(order.length, from + options.batchSize());
        List<Batch.Sample> samples = new ArrayList<>(to - from);
        for (int p = from; p < to; p++) {
            int i = order[p];
            ImageRecord rec = records.get(i);
            SplittableRandom rng = new SplittableRandom(Seeds.derive(options.seed(), epoch, i));
            try (Mat bgr = ImageDecoder.readBgr(rec.file())) {
                samples.add(new Batch.Sample(i, rec, transform.apply(bgr, rec, rng)));
            } catch (CorruptImageException e) {
                LOG.warn("skipping image {}: {}", rec.file(), e.reason());
                skipped.add(new SkippedImage(i, rec.file(), e.reason()));
            }
        }
        return samples.isEmpty() ? null : Batch.collate(b, samples);
    }

    @Override
    public boolean hasNext() {
        while (pending == null && !closed && cursor < futures.size()) {
            try {
                pending = futures.get(cursor).join();
            } catch (CompletionException e) {
                close();
                throw new IllegalStateException("building batch " + cursor + " of epoch " + epoch + " failed", e.getCause());
            } finally {
                futures.set(cursor, null);
                cursor++;
                permits.release();
            }
        }
        if (pending == null) {
            close();
        }
        return pending != null;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has no more batches");
        }
        Batch b = pending;
        pending = null;
        return b;
    }

    /** Images skipped so far, by record index; complete once the epoch has been consumed. */
    public List<SkippedImage> skipped() {
        List<SkippedImage> out = new ArrayList<>(skipped);
        out.sort(Comparator.comparingInt(SkippedImage::datasetIndex));
        return out;
    }

    /** Stops the workers and waits for them to end; no batch is handed out after. Idempotent. */
    @Override
    public void close() {
        closed = true;
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("batch loader workers of epoch {} did not stop within 30 s", epoch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
