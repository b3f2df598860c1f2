package org.aligndet.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.aligndet.trainer.mask.Rle;
import org.aligndet.trainer.mask.Segmentation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segmentations through CocoWriter and back through CocoReader.loadWithMasks, every form. */
class CocoMasksTest {
    @TempDir
    Path tmp;

    @Test
    void everyFormRoundTrips() throws IOException {
        int h = 10;
        int w = 12;
        Rle box = Rle.fromBox(2, 3, 4, 5, h, w);
        List<Segmentation> segs = Arrays.asList(
                new Segmentation.Polygons(List.of(new double[] {1, 1, 6.5, 1, 6.5, 7.25, 1, 7.25})),
                new Segmentation.Counts(h, w, Arrays.stream(box.counts()).asLongStream().toArray()),
                new Segmentation.Compressed(h, w, box.toString()),
                null);
        List<Instance> inst = List.of(Instance.box(1, 1, 6.5f, 7.25f, 0, 1), Instance.box(2, 3, 6, 8, 0, 2),
                Instance.box(2, 3, 6, 8, 1, 3), Instance.box(0, 0, 3, 3, 1, 4));
        ImageRecord r = new ImageRecord(1, "a.jpg", tmp.resolve("a.jpg"), w, h, inst, segs);
        Path file = tmp.resolve("instances.json");
        CocoWriter.write(new Dataset("t", List.of("a", "b"), List.of(0, 1), List.of(r)), file);
        ImageRecord back = CocoReader.loadWithMasks(file, tmp).dataset().images().get(0);
        assertEquals(4, back.segmentations().size());
        for (int k = 0; k < 3; k++) {
            assertEquals(segs.get(k).toRle(h, w), back.segmentations().get(k).toRle(h, w), "form " + k);
        }
        assertNull(back.segmentations().get(3));
        // without asking, no masks; a record without masks still writes and reads as before
        assertTrue(CocoReader.load(file, tmp).dataset().images().get(0).segmentations().isEmpty());
        assertTrue(r.withInstances(inst).segmentations().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new ImageRecord(1, "a", tmp, w, h, inst, segs.subList(0, 2)));
    }
}
