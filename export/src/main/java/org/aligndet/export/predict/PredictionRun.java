package org.aligndet.export.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.aligndet.trainer.image.CorruptImageException;
import org.aligndet.trainer.infer.Prepared;
import org.aligndet.trainer.infer.Preprocessor;

/**
 * Predicts over a list of images in batches: each batch is read and pre-processed in parallel,
 * then run in one call. An image that cannot be read or decoded is skipped and reported, never
 * fatal. Results keep the input order (skipped images left out).
 */
public final class PredictionRun {
    /** An image left out, with why. */
    public record Skipped(Path file, String reason) {
    }

    /** Every image's detections, in input order, and the images skipped. */
    public record Outcome(List<ImageDetections> images, List<Skipped> skipped) {
        public Outcome {
            images = List.copyOf(images);
            skipped = List.copyOf(skipped);
        }
    }

    private PredictionRun() {
    }

    /**
     * @param batchSize images per {@code session.run}, at least 1
     * @param progress  show a progress bar on the console
     * @param each      called with every image's detections as soon as they exist (e.g. to draw them)
     */
    public static Outcome run(OnnxPredictor predictor, List<ImageRef> images, int batchSize, boolean progress,
                              Consumer<ImageDetections> each) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        Preprocessor pre = predictor.preprocessor();
        List<ImageDetections> done = new ArrayList<>(images.size());
        List<Skipped> skipped = new ArrayList<>();
        predictor.warmUp();
        try (ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName("predict").setInitialMax(images.size())
                .setUnit(" img", 1).showSpeed().setUpdateIntervalMillis(500).build() : null) {
            for (int start = 0; start < images.size(); start += batchSize) {
                List<ImageRef> chunk = images.subList(start, Math.min(images.size(), start + batchSize));
                Prepared[] prepared = new Prepared[chunk.size()];
                String[] problems = new String[chunk.size()];
                java.util.stream.IntStream.range(0, chunk.size()).parallel().forEach(i -> {
                    try {
                        Prepared p = pre.prepareRaw(chunk.get(i).file()); // the ONNX path needs raw only
                        prepared[i] = p;
                    } catch (CorruptImageException e) {
                        problems[i] = e.reason();
                    }
                });
                List<Prepared> ok = new ArrayList<>();
                List<ImageRef> okRefs = new ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    if (prepared[i] == null) {
                        skipped.add(new Skipped(chunk.get(i).file(), problems[i]));
                    } else {
                        ok.add(prepared[i]);
                        okRefs.add(chunk.get(i));
                    }
                }
                List<List<Detection>> dets = predictor.predict(ok);
                for (int i = 0; i < ok.size(); i++) {
                    Prepared p = ok.get(i);
                    ImageDetections d = new ImageDetections(okRefs.get(i).id(), okRefs.get(i).key(), p.originalWidth(),
                            p.originalHeight(), dets.get(i));
                    done.add(d);
                    if (each != null) {
                        each.accept(d);
                    }
                }
                if (bar != null) {
                    bar.stepBy(chunk.size());
                }
            }
        }
        return new Outcome(done, skipped);
    }
}
