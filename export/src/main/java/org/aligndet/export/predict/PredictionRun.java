package org.aligndet.export.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.aligndet.trainer.image.CorruptImageException;
import org.aligndet.trainer.image.ImageDecoder;
import org.aligndet.trainer.image.ImageLimits;
import org.aligndet.trainer.infer.Detections;
import org.aligndet.trainer.infer.Prepared;
import org.aligndet.trainer.infer.Preprocessor;
import org.aligndet.trainer.mask.Rle;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Predicts over a list of images in batches: each batch is read and pre-processed in parallel,
 * then run in one call. An image that is missing, cannot be read or decoded, or is larger than the
 * pixel cap is skipped and reported, never fatal (unless too many of a listed set are missing).
 * Results keep the input order (skipped images left out).
 */
public final class PredictionRun {
    /** An image left out, with why ({@link CorruptImageException#MISSING} when the file does not exist). */
    public record Skipped(Path file, String reason) {
        /** Whether the file does not exist (rather than being unreadable). */
        public boolean missing() {
            return CorruptImageException.MISSING.equals(reason);
        }
    }

    /**
     * One image's result: its detections (original image pixels, keyed and identified as its
     * {@link ImageRef}), the original size they were found in, and with {@link Settings#masks()} each
     * detection's mask (else null).
     */
    public record Predicted(Detections detections, int width, int height, List<Rle> masks) {
        public Predicted(Detections detections, int width, int height) {
            this(detections, width, height, null);
        }
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

    /**
     * How a run goes.
     *
     * @param batch    images per {@code session.run}, at least 1
     * @param progress show a progress bar on the console
     * @param limits   the pixel cap of each image, and the share of listed images that may be missing
     * @param masks    predict masks as well ({@link OnnxPredictor#predictMasks}; the model must have them)
     */
    public record Settings(int batch, boolean progress, ImageLimits limits, boolean masks) {
        public Settings {
            if (batch < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
            }
        }

        /** Boxes only. */
        public Settings(int batch, boolean progress, ImageLimits limits) {
            this(batch, progress, limits, false);
        }

        /** The same settings, predicting masks as well. */
        public Settings withMasks() {
            return new Settings(batch, progress, limits, true);
        }
    }

    private PredictionRun() {
    }

    /**
     * {@link #run(OnnxPredictor, List, String, Settings, Consumer)} with {@link ImageLimits#DEFAULT}
     * and the list named "the image list".
     */
    public static Outcome run(OnnxPredictor predictor, List<ImageRef> images, int batchSize, boolean progress,
                              Consumer<Detections> each) {
        return run(predictor, images, "the image list", new Settings(batchSize, progress, ImageLimits.DEFAULT), each);
    }

    /**
     * Predicts over {@code images}. Images missing from disk are skipped with the reason
     * {@link CorruptImageException#MISSING}, unless more than the settings' share of them is
     * missing: then nothing runs.
     *
     * @param source names the list (an annotation file, a folder) in errors
     * @param each   called with every image's detections as soon as they exist (e.g. to draw them)
     * @throws ImageLimits.MissingImagesException when too many images are missing
     */
    public static Outcome run(OnnxPredictor predictor, List<ImageRef> images, String source, Settings settings,
                              Consumer<Detections> each) {
        settings.limits().requirePresent(images.stream().map(ImageRef::file).toList(), source);
        List<Predicted> done = new ArrayList<>(images.size());
        List<Skipped> skipped = new ArrayList<>();
        predictor.warmUp();
        int batchSize = settings.batch();
        try (ProgressBar bar = settings.progress() ? new ProgressBarBuilder().setTaskName("predict").setInitialMax(images.size())
                .setUnit(" img", 1).showSpeed().setUpdateIntervalMillis(500).build() : null) {
            for (int start = 0; start < images.size(); start += batchSize) {
                List<ImageRef> chunk = images.subList(start, Math.min(images.size(), start + batchSize));
                List<ImageRef> okRefs = new ArrayList<>();
                List<Prepared> ok = prepare(predictor.preprocessor(), chunk, settings.limits().maxPixels(), okRefs, skipped);
                List<OnnxPredictor.Masked> dets = settings.masks() ? predictor.predictMasks(ok)
                        : predictor.predict(ok).stream().map(d -> new OnnxPredictor.Masked(d, null)).toList();
                for (int i = 0; i < ok.size(); i++) {
                    Prepared p = ok.get(i);
                    Detections d = dets.get(i).detections().withImage(okRefs.get(i).key(), okRefs.get(i).id());
                    done.add(new Predicted(d, p.originalWidth(), p.originalHeight(), dets.get(i).masks()));
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

    /** Reads and pre-processes a chunk in parallel; the images read go to {@code okRefs}, the rest to {@code skipped}. */
    private static List<Prepared> prepare(Preprocessor pre, List<ImageRef> chunk, long maxPixels, List<ImageRef> okRefs,
                                          List<Skipped> skipped) {
        Prepared[] prepared = new Prepared[chunk.size()];
        String[] problems = new String[chunk.size()];
        IntStream.range(0, chunk.size()).parallel().forEach(i -> {
            Path file = chunk.get(i).file();
            try (Mat bgr = ImageDecoder.readBgr(file, maxPixels)) {
                prepared[i] = pre.prepareRaw(file.getFileName().toString(), bgr); // the ONNX path needs raw only
            } catch (CorruptImageException e) {
                problems[i] = e.reason();
            }
        });
        List<Prepared> ok = new ArrayList<>();
        for (int i = 0; i < chunk.size(); i++) {
            if (prepared[i] == null) {
                skipped.add(new Skipped(chunk.get(i).file(), problems[i]));
            } else {
                ok.add(prepared[i]);
                okRefs.add(chunk.get(i));
            }
        }
        return ok;
    }
}
