package org.aligndet.export.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.aligndet.trainer.image.CorruptImageException;
import org.aligndet.trainer.infer.Detections;
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

    /**
     * One image's result: its detections (original image pixels, keyed and identified as its
     * {@link ImageRef}) and the original size they were found in.
     */
    public record Predicted(Detections detections, int width, int height) {
    }

    /** Every image's result, in input order, and the images skipped. */
    public record Outcome(List<Predicted> images, List<Skipped> skipped) {
        public Outcome {
            images = List.copyOf(images);
            skipped = List.copyOf(skipped);
        }

        /** The detections of every image, in input order. */
        public List<Detections> detections() {
            return images.stream().map(Predicted::detections).toList();
        }

        /** How many detections in all. */
        public int numDetections() {
            return images.stream().mapToInt(p -> p.detections().size()).sum();
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
                              Consumer<Detections> each) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        Preprocessor pre = predictor.preprocessor();
        List<Predicted> done = new ArrayList<>(images.size());
        List<Skipped> skipped = new ArrayList<>();
        predictor.warmUp();
        try (ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName("predict").setInitialMax(images.size())
                .setUnit(" img", 1).showSpeed().setUpdateIntervalMillis(500).build() : null) {
            for (int start = 0; start < images.size(); start += batchSize) {
                List<ImageRef> chunk = images.subList(start, Math.min(images.size(), start + batchSize));
                Prepared[] prepared = new Prepared[chunk.size()];
                String[] problems = new String[chunk.size()];
                IntStream.range(0, chunk.size()).parallel().forEach(i -> {
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
                List<Detections> dets = predictor.predict(ok);
                for (int i = 0; i < ok.size(); i++) {
                    Prepared p = ok.get(i);
                    Detections d = dets.get(i).withImage(okRefs.get(i).key(), okRefs.get(i).id());
                    done.add(new Predicted(d, p.originalWidth(), p.originalHeight()));
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
