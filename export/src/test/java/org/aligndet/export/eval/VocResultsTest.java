package org.aligndet.export.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.infer.Detections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detections into VOC's 1-based frame, from a results file (formerly in the eval command) and from a model. */
class VocResultsTest {
    private static final List<VocImage> IMAGES = List.of(new VocImage("000001", List.of()), new VocImage("abc", List.of()));
    private static final List<String> CLASSES = List.of("cat", "dog");

    @TempDir
    Path dir;

    @Test
    void resultsMapIdsCategoriesAndBoxes() throws IOException {
        Path f = Files.writeString(dir.resolve("dets.json"), "[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0.5, 1, 10, 20], \"score\": 0.9},"
                + " {\"image_id\": \"abc\", \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 0.5}]");
        List<VocDetection> d = VocResults.read(f, IMAGES, CLASSES);
        assertEquals(new VocDetection("000001", 1, 0.9, 1.5, 2, 10.5, 21), d.get(0), "a number matches the all-digit id");
        assertEquals(new VocDetection("abc", 0, 0.5, 1, 1, 1, 1), d.get(1));
    }

    @Test
    void unknownIdsAndCategoriesAreCounted() throws IOException {
        Path ids = Files.writeString(dir.resolve("ids.json"), "[{\"image_id\": \"nope\", \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 0.5}]");
        EvalInputException e = assertThrows(EvalInputException.class, () -> VocResults.read(ids, IMAGES, CLASSES));
        assertTrue(e.getMessage().contains("1 detections have an unknown image_id (e.g. 'nope' at #0)"), e.getMessage());
        Path cats = Files.writeString(dir.resolve("cats.json"), "[{\"image_id\": \"abc\", \"category_id\": 3, \"bbox\": [0, 0, 1, 1], \"score\": 0.5}]");
        e = assertThrows(EvalInputException.class, () -> VocResults.read(cats, IMAGES, CLASSES));
        assertTrue(e.getMessage().contains("1 detections have a category_id outside 1..2"), e.getMessage());
    }

    @Test
    void modelDetectionsAsTheirResultsFileHoldsThem() {
        Detections d = new Detections("abc", 4, new float[] {33.3f, 0.1f, 40.7f, 9f}, new float[] {0.3f}, new int[] {1});
        assertEquals(List.of(new VocDetection("abc", 1, 0.3, 34.3, 1.1, 40.7, 9)), VocResults.asWritten(List.of(d)));
    }
}
