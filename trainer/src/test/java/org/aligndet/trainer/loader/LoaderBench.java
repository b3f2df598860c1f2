package org.aligndet.trainer.loader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.augment.AugmentConfig;
import org.aligndet.trainer.augment.TwoViewPipeline;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.data.Instance;
import org.aligndet.trainer.image.TestImages;
import org.junit.jupiter.api.Test;

/** Not a unit test: two-view loader throughput (images/s) per worker count and scale. Run with -Dtest=LoaderBench. */
class LoaderBench {
    @Test
    void throughput() throws Exception {
        Path dir = Files.createTempDirectory("loader-bench");
        List<ImageRecord> recs = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            Path f = TestImages.write(TestImages.scene(640, 480, 5, i).image(), dir.resolve(i + ".jpg"));
            List<Instance> props = new ArrayList<>();
            for (int k = 0; k < 100; k++) {
                props.add(Instance.box(k, k, 200 + k, 150 + k, -1, k));
            }
            recs.add(new ImageRecord(i, f.toString(), f, 640, 480, props));
        }
        AugmentConfig paper = AugmentConfig.alignDetPretrain();
        AugmentConfig tiny = paper.withScale(512, List.of(256, 288, 320));
        for (AugmentConfig cfg : List.of(paper, tiny)) {
            for (int workers : new int[] {1, 2, 4}) {
                SampleTransform t = SampleTransform.twoView(new TwoViewPipeline(cfg));
                long t0 = System.nanoTime();
                int n = 0;
                try (BatchLoader l = new BatchLoader(recs, t, LoaderOptions.of(4, workers, 0), 0)) {
                    while (l.hasNext()) {
                        n += l.next().samples().size();
                    }
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("scale (%d, %s) workers %d: %.1f images/s (two views each)%n", cfg.longSide(), cfg.shortSides(), workers, n / s);
            }
        }
    }
}
