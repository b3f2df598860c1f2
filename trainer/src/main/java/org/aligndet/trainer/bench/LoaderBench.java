package org.aligndet.trainer.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.augment.AugmentConfig;
import org.aligndet.trainer.augment.TwoViewPipeline;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.loader.BatchLoader;
import org.aligndet.trainer.loader.LoaderOptions;
import org.aligndet.trainer.loader.SampleTransform;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * {@code bench loader}: the pre-training loader's throughput (JPEG decode, two augmented views with
 * the paper's photometric ops, collation) over generated JPEG files, one pass per run, for each
 * worker count; images per second from the median pass.
 */
public final class LoaderBench {
    private LoaderBench() {
    }

    public static BenchResult run(Path dir, int images, int height, int width, int batch, List<Integer> workers, int warmup, int runs,
                                  PrintStream log) throws Exception {
        Files.createDirectories(dir);
        BenchScenes scenes = new BenchScenes(height, width, 1, 100, 3);
        List<ImageRecord> records = new ArrayList<>();
        for (ImageRecord r : scenes.withProposals(images)) {
            Path f = dir.resolve(r.key() + ".jpg");
            try (Mat m = scenes.image((int) r.id())) {
                if (!opencv_imgcodecs.imwrite(f.toString(), m)) {
                    throw new IOException(f + ": OpenCV could not write the bench image");
                }
            }
            records.add(new ImageRecord(r.id(), r.key(), f, width, height, r.instances()));
        }
        AugmentConfig aug = AugmentConfig.alignDetPretrain().withScale(Math.max(height, width), List.of(Math.min(height, width)));
        SampleTransform t = SampleTransform.twoView(new TwoViewPipeline(aug));
        SideBySide sbs = new SideBySide();
        for (int w : workers) {
            sbs.add("workers_" + w, run -> {
                try (BatchLoader l = new BatchLoader(records, t, LoaderOptions.of(batch, w, 0), Math.max(0, run))) {
                    while (l.hasNext()) {
                        l.next();
                    }
                }
            });
        }
        log.printf("loader: %d generated %dx%d JPEGs, batch %d, workers %s%n", images, height, width, batch, workers);
        Map<String, Timing> m = sbs.measure(warmup, runs, 1);
        BenchResult r = new BenchResult("loader").setting("images", images).setting("size", height + "x" + width).setting("batch", batch)
                .setting("views", 2).variants(m);
        m.forEach((k, v) -> r.figure(k + "_images_per_s", images / v.median()));
        return r;
    }
}
