package org.aligndet.trainer.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.augment.AugmentConfig;
import org.aligndet.trainer.augment.TwoViewPipeline;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.data.Instance;
import org.aligndet.trainer.image.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {
    @TempDir
    Path dir;
    private final List<ImageRecord> records = new ArrayList<>();
    private final SampleTransform twoView = SampleTransform.twoView(
            new TwoViewPipeline(AugmentConfig.alignDetPretrain().withScale(200, List.of(96, 112, 128))));

    @BeforeEach
    void images() throws Exception {
        for (int i = 0; i < 9; i++) {
            TestImages.Scene s = TestImages.scene(80 + 8 * i, 60 + 4 * i, 3, i);
            Path f = TestImages.write(s.image(), dir.resolve("img" + i + ".png"));
            List<Instance> props = new ArrayList<>();
            for (int k = 0; k < s.boxes().size(); k++) {
                float[] b = s.boxes().get(k);
                props.add(Instance.box(b[0], b[1], b[2], b[3], -1, k));
            }
            records.add(new ImageRecord(i + 1, f.getFileName().toString(), f, 0, 0, props));
        }
        Path broken = TestImages.writeBroken(dir).get(2);
        records.add(4, new ImageRecord(100, "truncated.jpg", broken, 0, 0, List.of()));
    }

    private List<Batch> epoch(int workers, int epoch) {
        List<Batch> out = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(records, twoView, LoaderOptions.of(3, workers, 42), epoch)) {
            loader.forEachRemaining(out::add);
            assertEquals(1, loader.skipped().size());
            assertEquals(4, loader.skipped().get(0).datasetIndex());
            assertTrue(loader.skipped().get(0).reason().contains("truncated"));
        }
        return out;
    }

    @Test
    void identicalBatchesForAnyWorkerCount() {
        List<Batch> one = epoch(1, 0);
        List<Batch> three = epoch(3, 0);
        assertEquals(4, one.size());
        assertEquals(one.size(), three.size());
        int images = 0;
        for (int b = 0; b < one.size(); b++) {
            Batch x = one.get(b);
            Batch y = three.get(b);
            assertEquals(x.samples().size(), y.samples().size());
            images += x.samples().size();
            for (int s = 0; s < x.samples().size(); s++) {
                assertEquals(x.samples().get(s).datasetIndex(), y.samples().get(s).datasetIndex());
                for (int v = 0; v < 2; v++) {
                    assertEquals(x.samples().get(s).views().get(v).boxes(), y.samples().get(s).views().get(v).boxes());
                }
            }
            for (int v = 0; v < 2; v++) {
                assertEquals(x.views().get(v).height(), y.views().get(v).height());
                assertArrayEquals(x.views().get(v).data(), y.views().get(v).data());
            }
        }
        assertEquals(9, images, "all readable images once");
    }

    @Test
    void epochsDifferAndPadToBatchMax() {
        List<Batch> e0 = epoch(2, 0);
        List<Batch> e1 = epoch(2, 1);
        List<Integer> o0 = e0.stream().flatMap(b -> b.samples().stream()).map(Batch.Sample::datasetIndex).toList();
        List<Integer> o1 = e1.stream().flatMap(b -> b.samples().stream()).map(Batch.Sample::datasetIndex).toList();
        assertNotEquals(o0, o1);
        for (Batch b : e0) {
            for (int v = 0; v < 2; v++) {
                BatchTensor t = b.views().get(v);
                assertEquals(b.samples().size(), t.batch());
                assertEquals(0, t.height() % 32);
                int maxH = b.samples().stream().mapToInt(s -> s.views().get(0).image().height()).max().orElseThrow();
                if (v == 0) {
                    assertEquals(maxH, t.height());
                }
                // both views carry the same proposal ids
                for (Batch.Sample s : b.samples()) {
                    assertArrayEquals(s.views().get(0).boxes().ids(), s.views().get(1).boxes().ids());
                }
            }
        }
    }

    @Test
    void closingEarlyLeavesNoThreads() throws Exception {
        try (BatchLoader loader = new BatchLoader(records, twoView, new LoaderOptions(1, 3, 2, true, false, 1), 0)) {
            loader.next();
        }
        Thread.sleep(50);
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("batch-loader") && t.isAlive()));
    }
}
