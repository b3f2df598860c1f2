package org.aligndet.trainer.proposals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.image.CorruptImageException;
import org.aligndet.trainer.image.ImageDecoder;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs selective search and the filter over many images on a thread pool, journaling each
 * finished image to {@code <out>.journal.jsonl}; a second run with the same settings and inputs
 * continues from the journal. When every image is done, writes {@code out} (sorted by image id,
 * so identical for any thread count and any interruption), {@code <out>.skipped.txt} when images
 * were skipped, and deletes the journal. An unreadable image is skipped, never fatal.
 */
public final class ProposalRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ProposalRunner.class);

    /**
     * @param stopAfter test hook simulating a kill: process at most this many new images, then
     *                  return without writing the output ({@code 0}: no limit)
     * @param maxPixels images above this many pixels are skipped and listed ({@link ImageDecoder#readBgr(Path, long)})
     */
    public record Options(SearchMode mode, int longSide, ProposalFilter filter, int threads, boolean progress, int stopAfter,
                          long maxPixels) {
        /** With {@link ImageDecoder#DEFAULT_MAX_PIXELS}. */
        public Options(SearchMode mode, int longSide, ProposalFilter filter, int threads, boolean progress, int stopAfter) {
            this(mode, longSide, filter, threads, progress, stopAfter, ImageDecoder.DEFAULT_MAX_PIXELS);
        }

        public static Options defaults() {
            return new Options(SearchMode.FAST, 500, ProposalFilter.alignDet(), Runtime.getRuntime().availableProcessors(), true, 0);
        }

        public Options with(SearchMode m, int threadCount) {
            return new Options(m, longSide, filter, threadCount, progress, stopAfter, maxPixels);
        }

        public Options quiet() {
            return new Options(mode, longSide, filter, threads, false, stopAfter, maxPixels);
        }

        public Options stoppingAfter(int n) {
            return new Options(mode, longSide, filter, threads, progress, n, maxPixels);
        }
    }

    /** Counts of a run: {@code complete} when the output was written. */
    public record Summary(int images, int resumed, int processed, int skipped, long proposals, boolean complete) {
    }

    private ProposalRunner() {
    }

    public static Path journalOf(Path out) {
        return out.resolveSibling(out.getFileName() + ".journal.jsonl");
    }

    public static Path skippedReportOf(Path out) {
        return out.resolveSibling(out.getFileName() + ".skipped.txt");
    }

    /** The proposals of one image, or the reason it was skipped. */
    public static ImageProposals proposeOne(ImageRecord rec, SelectiveSearch search, ProposalFilter filter) {
        return proposeOne(rec, search, filter, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /** As {@link #proposeOne(ImageRecord, SelectiveSearch, ProposalFilter)}, skipping images above {@code maxPixels}. */
    public static ImageProposals proposeOne(ImageRecord rec, SelectiveSearch search, ProposalFilter filter, long maxPixels) {
        try (Mat bgr = ImageDecoder.readBgr(rec.file(), maxPixels)) {
            if (rec.width() > 0 && (rec.width() != bgr.cols() || rec.height() != bgr.rows())) {
                LOG.warn("{}: listed as {}x{} but decodes as {}x{}; using the decoded size", rec.file(), rec.width(), rec.height(), bgr.cols(), bgr.rows());
            }
            List<Proposal> props = filter.apply(search.propose(bgr), bgr.cols(), bgr.rows());
            return new ImageProposals(rec.id(), rec.key(), bgr.cols(), bgr.rows(), props, null);
        } catch (CorruptImageException e) {
            return ImageProposals.skipped(rec.id(), rec.key(), e.reason());
        } catch (RuntimeException e) {
            return ImageProposals.skipped(rec.id(), rec.key(), "selective search failed: " + e);
        }
    }

    public static Summary run(List<ImageRecord> images, Path out, Options opts) {
        List<ImageRecord> sorted = new ArrayList<>(images);
        sorted.sort(java.util.Comparator.comparingLong(ImageRecord::id));
        SelectiveSearch search = new SelectiveSearch(opts.mode(), opts.longSide());
        Path journalFile = journalOf(out);
        try (ProposalJournal journal = new ProposalJournal(journalFile, header(sorted, opts))) {
            int resumed = journal.done().size();
            List<ImageRecord> todo = sorted.stream().filter(r -> !journal.done().containsKey(r.id())).toList();
            int limit = opts.stopAfter() > 0 ? Math.min(opts.stopAfter(), todo.size()) : todo.size();
            if (resumed > 0) {
                LOG.info("resuming from {}: {} of {} images already done", journalFile, resumed, sorted.size());
            }
            processAll(todo.subList(0, limit), search, opts, journal, resumed, sorted.size());
            if (limit < todo.size()) {
                return new Summary(sorted.size(), resumed, limit, -1, -1, false);
            }
            List<ImageProposals> all = new ArrayList<>();
            for (ImageRecord r : sorted) {
                all.add(journal.done().get(r.id()));
            }
            return finish(out, all, resumed, limit);
        }
    }

    private static void processAll(List<ImageRecord> todo, SelectiveSearch search, Options opts, ProposalJournal journal, int resumed, int total) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, opts.threads()));
        try (ProgressBar bar = opts.progress() ? progressBar(resumed, total) : null) {
            List<Future<?>> futures = new ArrayList<>(todo.size());
            for (ImageRecord r : todo) {
                futures.add(pool.submit(() -> {
                    ImageProposals e = proposeOne(r, search, opts.filter(), opts.maxPixels());
                    if (e.isSkipped()) {
                        LOG.warn("skipping {}: {}", r.file(), e.skipped());
                    }
                    journal.append(e);
                    if (bar != null) {
                        bar.step();
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted; finished images are in the journal", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("selective search failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ProgressBar progressBar(int resumed, int total) {
        return new ProgressBarBuilder().setTaskName("proposals").setInitialMax(total).setUnit(" img", 1)
                .showSpeed().setUpdateIntervalMillis(500).startsFrom(resumed, java.time.Duration.ZERO).build();
    }

    private static Summary finish(Path out, List<ImageProposals> all, int resumed, int processed) {
        ProposalWriter.write(out, all);
        List<ImageProposals> skipped = all.stream().filter(ImageProposals::isSkipped).toList();
        Path report = skippedReportOf(out);
        try {
            if (skipped.isEmpty()) {
                Files.deleteIfExists(report);
            } else {
                ProposalWriter.writeSkipped(report, skipped);
            }
            Files.deleteIfExists(journalOf(out));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long n = all.stream().mapToLong(e -> e.proposals().size()).sum();
        if (!skipped.isEmpty()) {
            LOG.warn("{} of {} images could not be read; listed in {}", skipped.size(), all.size(), report);
        }
        return new Summary(all.size(), resumed, processed, skipped.size(), n, true);
    }

    /** The settings and the input list (by digest) that a journal must match to be resumed. */
    static ObjectNode header(List<ImageRecord> sorted, Options o) {
        ObjectNode h = new ObjectMapper().createObjectNode();
        h.put("journal", "aligndet-proposals").put("version", 1).put("mode", o.mode().cliName()).put("long_side", o.longSide());
        ProposalFilter f = o.filter();
        h.put("min_size", f.minSize()).put("max_aspect", f.maxAspect()).put("max_scale", f.maxScale()).put("nms_iou", f.nmsIou()).put("top_k", f.topK());
        h.put("images", sorted.size()).put("inputs_sha256", digest(sorted));
        return h;
    }

    private static String digest(List<ImageRecord> sorted) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (ImageRecord r : sorted) {
                md.update((r.id() + "\t" + r.key() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
