package org.aligndet.export.eval;

import org.aligndet.trainer.data.CocoFile;
import org.aligndet.trainer.data.CocoJson;
import org.aligndet.trainer.data.CocoReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad COCO input gets a clear error that names the file and the entries. */
class CocoInputErrorsTest {
    @TempDir
    Path dir;

    private CocoGroundTruth gt() {
        return CocoGroundTruth.builder("gt.json").image(1).image(2).category(1, "cat").category(2, "dog")
                .annotation(1, 1, 1, 10, 10, 50, 40, 2000, false).build();
    }

    private Path write(String name, String json) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    @Test
    void unknownImageAndCategoryIdsAreCountedWithExamples() {
        CocoDetections dt = CocoDetections.builder()
                .add(1, 1, 10, 10, 50, 40, 0.9)
                .add(7, 1, 10, 10, 50, 40, 0.8)
                .add(8, 1, 10, 10, 50, 40, 0.7)
                .add(1, 99, 10, 10, 50, 40, 0.6)
                .build();
        EvalInputException e = assertThrows(EvalInputException.class, () -> new CocoEvaluator().evaluate(gt(), dt));
        assertTrue(e.getMessage().contains("2 detections name image ids that are not in gt.json, e.g. image_id 7 (#1), 8 (#2)"), e.getMessage());
        assertTrue(e.getMessage().contains("1 detections name category ids that are not in gt.json, e.g. category_id 99 (#3)"), e.getMessage());
    }

    @Test
    void nanScoreInAFileIsNamed() throws IOException {
        Path p = write("nan.json", "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5},"
                + " {\"image_id\": 2, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": NaN}]");
        EvalInputException e = assertThrows(EvalInputException.class, () -> CocoDetections.read(p));
        assertTrue(e.getMessage().contains("nan.json"), e.getMessage());
        assertTrue(e.getMessage().contains("detection #1 (image_id 2, category_id 1) has score NaN"), e.getMessage());
    }

    @Test
    void negativeWidthSaysXywh() throws IOException {
        Path p = write("neg.json", "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [100, 100, -20, 30], \"score\": 0.5}]");
        EvalInputException e = assertThrows(EvalInputException.class, () -> CocoDetections.read(p));
        assertTrue(e.getMessage().contains("negative width or height"), e.getMessage());
        assertTrue(e.getMessage().contains("[x, y, width, height]"), e.getMessage());
    }

    @Test
    void emptyResultsFileAndEmptyListAreClear() throws IOException {
        EvalInputException list = assertThrows(EvalInputException.class, () -> CocoDetections.read(write("empty.json", " [ ] ")));
        assertTrue(list.getMessage().contains("holds an empty list: no detections"), list.getMessage());
        EvalInputException bytes = assertThrows(EvalInputException.class, () -> CocoDetections.read(write("zero.json", "")));
        assertTrue(bytes.getMessage().contains("is empty (0 bytes)"), bytes.getMessage());
        EvalInputException missing = assertThrows(EvalInputException.class, () -> CocoDetections.read(dir.resolve("nope.json")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void programmaticEmptyDetectionsScoreZero() {
        CocoEvalResult r = new CocoEvaluator().evaluate(gt(), CocoDetections.empty());
        assertArrayEquals(new double[]{0, 0, 0, -1, 0, -1, 0, 0, 0, -1, 0, -1}, r.stats(), 0.0);
        assertEquals(-1.0, r.perCategory().get(1).ap(), 0.0, "a category without GT has AP -1");
    }

    @Test
    void groundTruthKeepsWhatTheTrainingViewFilters() throws IOException {
        // one parse, two views: pycocotools counts a zero-width GT box; the training reader skips it
        Path p = write("zero.json", "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\"}], \"categories\": [{\"id\": 1}],"
                + " \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [5, 5, 0, 4], \"area\": 0}]}");
        CocoFile file = CocoJson.instances(p);
        assertEquals(1, CocoGroundTruth.of(file).numAnnotations());
        assertTrue(CocoReader.read(file, dir).images().get(0).instances().isEmpty());
        Path noId = write("noid.json", "{\"images\": [{\"id\": 1}], \"categories\": [{\"id\": 1}],"
                + " \"annotations\": [{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"area\": 1}]}");
        EvalInputException e = assertThrows(EvalInputException.class, () -> CocoGroundTruth.read(noId));
        assertTrue(e.getMessage().contains("annotations[0].id is missing"), e.getMessage());
        Path broken = write("broken.json", "{\"images\": [{\"id\": 1},,]}");
        e = assertThrows(EvalInputException.class, () -> CocoGroundTruth.read(broken));
        assertTrue(e.getMessage().startsWith(broken + ":1:") && e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void groundTruthErrorsNameTheAnnotation() throws IOException {
        Path p = write("gt.json", "{\"images\": [{\"id\": 1}], \"categories\": [{\"id\": 1, \"name\": \"a\"}],"
                + " \"annotations\": [{\"id\": 5, \"image_id\": 3, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"area\": 1, \"iscrowd\": 0}]}");
        EvalInputException e = assertThrows(EvalInputException.class, () -> CocoGroundTruth.read(p));
        assertTrue(e.getMessage().contains("annotation id 5 refers to image id 3"), e.getMessage());
        Path noArea = write("gt2.json", "{\"images\": [{\"id\": 1}], \"categories\": [{\"id\": 1}],"
                + " \"annotations\": [{\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}]}");
        EvalInputException e2 = assertThrows(EvalInputException.class, () -> CocoGroundTruth.read(noArea));
        assertTrue(e2.getMessage().contains("annotations[0] has no area field"), e2.getMessage());
    }
}
