package org.aligndet.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProposalsReaderTest {
    @TempDir
    Path tmp;

    /** The shape of AlignDet's released train2017_ratio3size0008@0.5.json: plain COCO, one category. */
    static final String ALIGNDET_SHAPE = """
            {"images": [{"file_name": "000000000009.jpg", "height": 480, "width": 640, "id": 9},
                        {"file_name": "000000000025.jpg", "height": 426, "width": 640, "id": 25},
                        {"file_name": "000000000030.jpg", "height": 428, "width": 640, "id": 30}],
             "annotations": [
              {"bbox": [1.0, 2.0, 100.0, 50.0], "image_id": 9, "category_id": 1, "iscrowd": 0, "area": 5000.0, "id": 1},
              {"bbox": [300.5, 200.0, 64.0, 40.0], "image_id": 30, "category_id": 1, "iscrowd": 0, "area": 2560.0, "id": 2},
              {"bbox": [10.0, 20.0, 200.0, 100.0], "image_id": 9, "category_id": 1, "iscrowd": 0, "area": 20000.0, "id": 3},
              {"bbox": [40.0, 40.0, 0.0, 40.0], "image_id": 9, "category_id": 1, "iscrowd": 0, "area": 0.0, "id": 4},
              {"bbox": [50.0, 60.0, 70.0, 80.0], "image_id": 9, "category_id": 1, "iscrowd": 0, "area": 5600.0, "id": 5}],
             "categories": [{"supercategory": "selective_search", "id": 1, "name": "selective_search"}]}
            """;

    @Test
    void alignDetShapeLoadsAsProposalsWithIndices() throws IOException {
        Path file = tmp.resolve("train2017_ratio3size0008@0.5.json");
        Files.writeString(file, ALIGNDET_SHAPE);
        LoadResult r = CocoReader.loadProposals(file, tmp.resolve("train2017"));
        Dataset d = r.dataset();
        assertEquals(List.of(), d.classes(), "proposals carry no classes");
        assertEquals(3, d.images().size());
        ImageRecord first = d.images().get(0);
        assertEquals(tmp.resolve("train2017/000000000009.jpg"), first.file());
        assertEquals(3, first.instances().size());
        for (int k = 0; k < 3; k++) {
            Instance p = first.instances().get(k);
            assertEquals(k, p.id(), "id = proposal index within the image, after filtering");
            assertEquals(-1, p.label());
            assertEquals(1, p.categoryId());
        }
        assertEquals(List.of(1f, 2f, 101f, 52f), box(first.instances().get(0)), "file order without scores");
        assertEquals(List.of(50f, 60f, 120f, 140f), box(first.instances().get(2)));
        assertTrue(d.images().get(1).instances().isEmpty(), "an image without proposals stays");
        assertEquals(0, d.images().get(2).instances().get(0).id());
        assertEquals(1, r.skipped().count(CocoReader.ZERO_SIZE));
    }

    @Test
    void scoredProposalsAreOrderedByScore() throws IOException {
        Path file = tmp.resolve("scored.json");
        Files.writeString(file, """
                {"images": [{"file_name": "a.jpg", "height": 100, "width": 100, "id": 1}],
                 "annotations": [
                  {"bbox": [0, 0, 10, 10], "image_id": 1, "category_id": 1, "score": 0.2},
                  {"bbox": [0, 0, 20, 20], "image_id": 1, "category_id": 1, "score": 0.9},
                  {"bbox": [0, 0, 30, 30], "image_id": 1, "category_id": 1, "score": 0.2}],
                 "categories": [{"id": 1, "name": "selective_search"}]}
                """);
        List<Instance> ps = CocoReader.readProposals(file, null).images().get(0).instances();
        assertEquals(List.of(20f, 10f, 30f), ps.stream().map(Instance::x2).toList(), "descending score, ties in file order");
        assertEquals(List.of(0L, 1L, 2L), ps.stream().map(Instance::id).toList());
        assertEquals(400.0, ps.get(0).area(), "no area in the file: the box area");
    }

    private static List<Float> box(Instance i) {
        return List.of(i.x1(), i.y1(), i.x2(), i.y2());
    }
}
