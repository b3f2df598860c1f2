package org.aligndet.export.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.aligndet.trainer.mask.Rle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COCO mask AP ({@code iouType segm}): masks of the real annotation file, a cross-check against the
 * golden-tested bbox AP (integer rectangles as masks score exactly as their boxes), hand-made polygon
 * and crowd-RLE cases, and input errors. The reference's own numbers are {@link CocoSegmGoldenCasesTest}'s.
 */
class CocoSegmEvalTest {
    @TempDir
    Path dir;

    @Test
    void segmentationsOfTheRealFileBecomeMasksOfTheirImagesSize() {
        CocoGroundTruth gt = CocoGroundTruth.read(SharedTestData.dir("coco_real").resolve("instances_val2014_100.json"), IouType.SEGM);
        int crowd = 0;
        double maskArea = 0;
        double fieldArea = 0;
        for (int a = 0; a < gt.numAnnotations(); a++) {
            int img = gt.annImage[a];
            assertEquals(gt.imageHeight[img], gt.mask[a].height());
            assertEquals(gt.imageWidth[img], gt.mask[a].width());
            crowd += gt.crowd[a] ? 1 : 0;
            maskArea += gt.mask[a].area();
            fieldArea += gt.area[a];
        }
        assertEquals(9, crowd);
        // COCO's area fields are the annotations' mask areas (the ranges use the fields, not these)
        assertEquals(1.0, maskArea / fieldArea, 0.01, "mask pixels " + maskArea + " vs area fields " + fieldArea);
        // a bbox read of the same file carries no masks, and bbox scores are untouched by it
        assertFalse(CocoGroundTruth.read(SharedTestData.dir("coco_real").resolve("instances_val2014_100.json")).hasMasks());
    }

    /**
     * Integer-aligned boxes inside the image rasterise to exactly their pixels, so each mask IoU
     * (crowd or not) is the same ratio of integers as the box IoU: segm evaluation of rectangle
     * masks must give bit-identical results to the (golden-tested) bbox evaluation of the boxes.
     */
    @Test
    void rectangleMasksScoreExactlyAsTheirBoxes() {
        Random rnd = new Random(42);
        int h = 60;
        int w = 80;
        CocoGroundTruth.Builder boxGt = CocoGroundTruth.builder("boxes");
        CocoGroundTruth.Builder maskGt = CocoGroundTruth.builder("masks");
        for (int img = 1; img <= 12; img++) {
            boxGt.image(img, h, w);
            maskGt.image(img, h, w);
        }
        for (int c = 1; c <= 3; c++) {
            boxGt.category(c, "c" + c);
            maskGt.category(c, "c" + c);
        }
        CocoDetections.Builder boxDt = CocoDetections.builder();
        CocoDetections.Builder maskDt = CocoDetections.builder();
        long id = 1;
        for (int img = 1; img <= 12; img++) {
            int numGt = rnd.nextInt(6);
            for (int g = 0; g < numGt; g++) {
                int[] b = randomBox(rnd, h, w);
                int cat = 1 + rnd.nextInt(3);
                boolean crowd = rnd.nextInt(8) == 0;
                double area = (double) b[2] * b[3];
                Rle mask = Rle.fromPolygon(new double[]{b[0], b[1], b[0], b[1] + b[3], b[0] + b[2], b[1] + b[3], b[0] + b[2], b[1]}, h, w);
                assertEquals((long) b[2] * b[3], mask.area());
                boxGt.annotation(id, img, cat, b[0], b[1], b[2], b[3], area, crowd);
                maskGt.annotation(id, img, cat, b[0], b[1], b[2], b[3], area, crowd, mask);
                id++;
                // a few detections near each gt, and some anywhere
                for (int k = rnd.nextInt(4); k > 0; k--) {
                    int[] d = jitter(rnd, b, h, w);
                    addBoth(boxDt, maskDt, img, cat, d, rnd.nextInt(1000) / 1000.0, h, w);
                }
            }
            for (int k = rnd.nextInt(4); k > 0; k--) {
                addBoth(boxDt, maskDt, img, 1 + rnd.nextInt(3), randomBox(rnd, h, w), rnd.nextInt(1000) / 1000.0, h, w);
            }
        }
        CocoEvalResult boxes = new CocoEvaluator().evaluate(boxGt.build(), boxDt.build());
        CocoEvalResult masks = new CocoEvaluator(IouType.SEGM).evaluate(maskGt.build(), maskDt.build());
        assertTrue(boxes.stats()[0] > 0.05 && boxes.stats()[0] < 0.95, "a case with partial matches: AP " + boxes.stats()[0]);
        assertArrayEquals(boxes.stats(), masks.stats(), 0.0);
        for (int k = 0; k < 3; k++) {
            assertEquals(boxes.perCategory().get(k), masks.perCategory().get(k));
            for (int t = 0; t < 10; t++) {
                assertArrayEquals(boxes.precisionCurve(k, t), masks.precisionCurve(k, t), 0.0);
            }
        }
    }

    private static int[] randomBox(Random rnd, int h, int w) {
        int x = rnd.nextInt(w - 2);
        int y = rnd.nextInt(h - 2);
        return new int[]{x, y, 1 + rnd.nextInt(w - x - 1), 1 + rnd.nextInt(h - y - 1)};
    }

    private static int[] jitter(Random rnd, int[] b, int h, int w) {
        int x0 = Math.max(0, b[0] + rnd.nextInt(7) - 3);
        int y0 = Math.max(0, b[1] + rnd.nextInt(7) - 3);
        int x1 = Math.min(w, Math.max(x0 + 1, b[0] + b[2] + rnd.nextInt(7) - 3));
        int y1 = Math.min(h, Math.max(y0 + 1, b[1] + b[3] + rnd.nextInt(7) - 3));
        return new int[]{x0, y0, x1 - x0, y1 - y0};
    }

    private static void addBoth(CocoDetections.Builder boxDt, CocoDetections.Builder maskDt, int img, int cat, int[] d, double score,
                                int h, int w) {
        Rle mask = Rle.fromBox(d[0], d[1], d[2], d[3], h, w);
        boxDt.add(img, cat, d[0], d[1], d[2], d[3], score);
        maskDt.addMask(img, cat, d[0], d[1], d[2], d[3], score, mask, mask.area());
    }

    private Path write(String name, String json) throws IOException {
        return Files.writeString(dir.resolve(name), json);
    }

    private static final String GT = """
            {"images": [{"id": 1, "width": 4, "height": 3}],
             "categories": [{"id": 1, "name": "a"}],
             "annotations": [
               {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "iscrowd": 0,
                "segmentation": [[0, 0, 0, 2, 2, 2, 2, 0]]},
               {"id": 2, "image_id": 1, "category_id": 1, "bbox": [2, 0, 2, 3], "area": 6, "iscrowd": 1,
                "segmentation": {"size": [3, 4], "counts": [6, 6]}}]}
            """;

    @Test
    void maskResultsFileScoresAgainstPolygonsAndCrowdRle() throws IOException {
        Path gt = write("gt.json", GT);
        // mask 1: the polygon's pixels, columns 0-1 rows 0-1 -> runs 0, 2, 1, 2, 7; runs 3 and 4 are
        // written as deltas to runs 1 and 2 (2 - 2 = 0, 7 - 1 = 6) -> "02106";
        // mask 2: column 2 only, inside the crowd region (runs 6, 3, 3) -> matched to the crowd: ignored
        Path dt = write("dt.json", """
                [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": {"size": [3, 4], "counts": "02106"}},
                 {"image_id": 1, "category_id": 1, "score": 0.8, "segmentation": {"size": [3, 4], "counts": [6, 3, 3]}}]
                """);
        CocoDetections dets = CocoDetections.readMasks(dt);
        assertEquals(4.0, dets.area(0), 0.0);
        assertArrayEquals(new double[]{0, 0, 2, 2}, dets.bbox(0), 0.0);
        EvalReport r = ResultsEvaluation.coco(gt, dt, IouType.SEGM);
        // every detection right: 1 up to pycocotools' eps in tp / (tp + fp + eps)
        assertEquals(1.0, r.json().get("AP").asDouble(), 1e-12, r.markdown());
        assertEquals("coco_segm", r.json().get("kind").asText());
        // bbox: the first result's area comes from its bbox (pycocotools' loadRes), so a 1 x 1 bbox makes it "small" ...
        Path withBox = write("dt_box.json", """
                [{"image_id": 1, "category_id": 1, "score": 0.9, "bbox": [0, 0, 1, 1], "segmentation": {"size": [3, 4], "counts": "02106"}}]
                """);
        assertEquals(1.0, CocoDetections.readMasks(withBox).area(0), 0.0);
        // ... and then every result needs a bbox
        Path mixed = write("dt_mixed.json", """
                [{"image_id": 1, "category_id": 1, "score": 0.9, "bbox": [0, 0, 2, 2], "segmentation": {"size": [3, 4], "counts": "02106"}},
                 {"image_id": 1, "category_id": 1, "score": 0.8, "segmentation": {"size": [3, 4], "counts": "02106"}}]
                """);
        EvalInputException e = assertThrows(EvalInputException.class, () -> CocoDetections.readMasks(mixed));
        assertTrue(e.getMessage().contains(mixed.toString()) && e.getMessage().contains("result #1") && e.getMessage().contains("no bbox"),
                e.getMessage());
    }

    @Test
    void writtenMaskResultsReadBackToTheSameEntries() {
        // what eval --model --iou-type segm writes: bbox, score and the RLE string of each mask
        Rle a = Rle.encode(3, 4, new boolean[] {true, true, false, true, true, false, false, false, false, false, false, true});
        Rle b = Rle.of(3, 4, new long[] {6, 3, 3});
        CocoDetections dets = CocoDetections.builder().addMask(7, 2, 0, 0, 2, 2, 0.9, a, 4)
                .addMask(7, 3, 2, 0, 1, 3, 0.25, b, 3).build();
        Path file = dir.resolve("written.json");
        CocoResultsWriter.write(file, dets);
        CocoDetections back = CocoDetections.readMasks(file);
        assertEquals(2, back.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(dets.mask(i).toString(), back.mask(i).toString(), "mask " + i);
            assertArrayEquals(dets.bbox(i), back.bbox(i), 0.0);
            assertEquals(dets.area(i), back.area(i), 0.0, "the area is the box's, as the file has boxes");
        }
        assertEquals(3, back.mask(1).height());
        assertEquals(4, back.mask(1).width());
    }

    @Test
    void badMasksAreClearErrorsNamingTheFile() throws IOException {
        Path gt = write("gt.json", GT);
        Path badSum = write("dt.json", """
                [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": {"size": [3, 4], "counts": [2, 2, 2]}}]
                """);
        EvalInputException e = assertThrows(EvalInputException.class, () -> ResultsEvaluation.coco(gt, badSum, IouType.SEGM));
        assertTrue(e.getMessage().startsWith(badSum + ": result #0") && e.getMessage().contains("sum to 6, not h * w = 3 * 4 = 12"),
                e.getMessage());
        Path badString = write("dt2.json", """
                [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": {"size": [3, 4], "counts": "02"}}]
                """);
        e = assertThrows(EvalInputException.class, () -> CocoDetections.readMasks(badString));
        assertTrue(e.getMessage().startsWith(badString + ": result #0") && e.getMessage().contains("compressed RLE"), e.getMessage());
        Path noSeg = write("dt3.json", """
                [{"image_id": 1, "category_id": 1, "score": 0.9, "bbox": [0, 0, 1, 1]}]
                """);
        e = assertThrows(EvalInputException.class, () -> CocoDetections.readMasks(noSeg));
        assertTrue(e.getMessage().contains(noSeg.toString()) && e.getMessage().contains("\"segmentation\""), e.getMessage());
        Path wrongSize = write("dt4.json", """
                [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": {"size": [4, 3], "counts": "02106"}}]
                """);
        e = assertThrows(EvalInputException.class, () -> ResultsEvaluation.coco(gt, wrongSize, IouType.SEGM));
        assertTrue(e.getMessage().contains("[4, 3], the image [3, 4]"), e.getMessage());
        Path gtBad = write("gt_bad.json", GT.replace("\"counts\": [6, 6]", "\"counts\": [6, 5]"));
        e = assertThrows(EvalInputException.class, () -> CocoGroundTruth.read(gtBad, IouType.SEGM));
        assertTrue(e.getMessage().startsWith(gtBad + ": annotations[1] (id 2): segmentation: RLE counts") && e.getMessage().contains("sum to 11"),
                e.getMessage());
        Path gtNoSeg = write("gt_noseg.json", GT.replace("\"segmentation\": [[0, 0, 0, 2, 2, 2, 2, 0]]", "\"ignore\": 0"));
        e = assertThrows(EvalInputException.class, () -> CocoGroundTruth.read(gtNoSeg, IouType.SEGM));
        assertTrue(e.getMessage().startsWith(gtNoSeg + ": annotations[0] (id 1) has no segmentation"), e.getMessage());
        // bbox evaluation of the same file never looks at segmentations
        assertEquals(2, CocoGroundTruth.read(gtNoSeg).numAnnotations());
    }

    @Test
    void segmNeedsMasksOnBothSides() {
        CocoGroundTruth boxesOnly = CocoGroundTruth.builder("gt.json").image(1, 10, 10).category(1, "a")
                .annotation(1, 1, 1, 0, 0, 2, 2, 4, false).build();
        CocoDetections dets = CocoDetections.builder().add(1, 1, 0, 0, 2, 2, 0.5).build();
        EvalInputException e = assertThrows(EvalInputException.class, () -> new CocoEvaluator(IouType.SEGM).evaluate(boxesOnly, dets));
        assertTrue(e.getMessage().contains("gt.json was read without masks"), e.getMessage());
    }
}
