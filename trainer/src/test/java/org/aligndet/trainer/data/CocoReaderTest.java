package org.aligndet.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoReaderTest {
    @TempDir
    Path tmp;

    static final String EDGE_CASES = """
            {"info": {"year": 2017}, "licenses": [{"id": 1, "name": "x"}],
             "images": [
              {"id": 10, "file_name": "a.jpg", "width": 100, "height": 80, "license": 1},
              {"id": 11, "file_name": "b.jpg", "width": 50, "height": 50},
              {"id": 12, "file_name": "sub/c.jpg", "width": 64, "height": 64}],
             "annotations": [
              {"id": 1, "image_id": 10, "category_id": 3, "bbox": [10.5, 20, 30, 40], "area": 900.5, "iscrowd": 0,
               "segmentation": [[1, 2, 3, 4, 5, 6]]},
              {"id": 2, "image_id": 10, "category_id": 7, "bbox": [0, 0, 100, 80], "area": 5000, "iscrowd": 1,
               "segmentation": {"counts": [1, 2], "size": [80, 100]}},
              {"id": 3, "image_id": 12, "category_id": 3, "bbox": [5, 5, 0, 10], "area": 0, "iscrowd": 0},
              {"id": 4, "image_id": 12, "category_id": 1, "bbox": [1, 2, 3, 4], "area": 12, "iscrowd": 0, "ignore": 1},
              {"id": 5, "image_id": 12, "category_id": 1, "bbox": [70, 70, 5, 5], "iscrowd": 0},
              {"id": 6, "image_id": 12, "category_id": 1, "bbox": [3, 3, -2, 4]}],
             "categories": [{"id": 7, "name": "zebra", "supercategory": "animal"}, {"id": 1, "name": "person"},
              {"id": 3, "name": "car"}]}
            """;

    private Path write(String name, String json) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, json);
        return f;
    }

    @Test
    void edgeCases() throws IOException {
        Path file = write("instances.json", EDGE_CASES);
        LoadResult r = CocoReader.load(file, tmp.resolve("images"));
        Dataset d = r.dataset();
        assertEquals(List.of("person", "car", "zebra"), d.classes(), "labels follow sorted category ids");
        assertEquals(List.of(1, 3, 7), d.categoryIds(), "the id gap is closed, the map kept");
        assertEquals(3, d.images().size());

        ImageRecord a = d.images().get(0);
        assertEquals(10, a.id());
        assertEquals(tmp.resolve("images/a.jpg"), a.file());
        assertEquals(100, a.width());
        assertEquals(2, a.instances().size());
        Instance car = a.instances().get(0);
        assertEquals(List.of(10.5f, 20f, 40.5f, 60f), List.of(car.x1(), car.y1(), car.x2(), car.y2()), "xywh to xyxy");
        assertEquals(1, car.label());
        assertEquals(3, car.categoryId());
        assertEquals(1, car.id());
        assertEquals(900.5, car.area(), "area is COCO's own, not the box's");
        assertFalse(car.crowd());
        Instance crowd = a.instances().get(1);
        assertTrue(crowd.crowd());
        assertEquals(2, crowd.label());

        assertTrue(d.images().get(1).instances().isEmpty(), "an image without annotations is kept, empty");

        ImageRecord c = d.images().get(2);
        assertEquals("sub/c.jpg", c.key());
        assertEquals(1, c.instances().size());
        assertTrue(c.instances().get(0).ignore());
        assertEquals(12.0, c.instances().get(0).area());

        assertEquals(2, r.skipped().count(CocoReader.ZERO_SIZE));
        assertEquals(1, r.skipped().count(CocoReader.OUTSIDE));
        assertTrue(r.skipped().summary(file.toString()).contains("skipped 3"), r.skipped().summary("x"));
    }

    @Test
    void topLevelKeysInAnyOrder() throws IOException {
        Path file = write("reordered.json", """
                {"annotations": [{"id": 5, "image_id": 1, "category_id": 2, "bbox": [0, 0, 2, 2]}],
                 "categories": [{"id": 2, "name": "b"}],
                 "images": [{"id": 1, "file_name": "x.jpg"}]}
                """);
        Dataset d = CocoReader.read(file, null);
        Instance i = d.images().get(0).instances().get(0);
        assertEquals(0, i.label());
        assertTrue(Double.isNaN(i.area()), "no area in the file: NaN");
        assertEquals(0, d.images().get(0).width(), "size unknown");
    }

    @Test
    void unknownCategoryIsAnErrorNamingFileAnnotationAndCategory() throws IOException {
        Path file = write("badcat.json", """
                {"images": [{"id": 1, "file_name": "x.jpg", "width": 10, "height": 10}],
                 "annotations": [{"id": 77, "image_id": 1, "category_id": 5, "bbox": [0, 0, 2, 2]}],
                 "categories": [{"id": 1, "name": "a"}]}
                """);
        DatasetException e = assertThrows(DatasetException.class, () -> CocoReader.read(file, null));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("annotation id 77"), e.getMessage());
        assertTrue(e.getMessage().contains("category_id 5"), e.getMessage());
    }

    @Test
    void unknownImageIsAnErrorNamingFileAndAnnotation() throws IOException {
        Path file = write("badimg.json", """
                {"images": [{"id": 1, "file_name": "x.jpg"}],
                 "annotations": [{"id": 8, "image_id": 2, "category_id": 1, "bbox": [0, 0, 2, 2]}],
                 "categories": [{"id": 1, "name": "a"}]}
                """);
        DatasetException e = assertThrows(DatasetException.class, () -> CocoReader.read(file, null));
        assertTrue(e.getMessage().contains(file + ": annotation id 8 refers to image_id 2"), e.getMessage());
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() throws IOException {
        Path file = write("broken.json", "{\"images\": [\n  {\"id\": 1, \"file_name\": \"x.jpg\"},\n  {\"id\": 2,, }\n]}");
        DatasetException e = assertThrows(DatasetException.class, () -> CocoReader.read(file, null));
        assertTrue(e.getMessage().startsWith(file + ":3:"), e.getMessage());
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void wronglyTypedFieldsNameTheProblem() throws IOException {
        Path box = write("box.json", """
                {"images": [{"id": 1, "file_name": "x.jpg"}],
                 "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2]}],
                 "categories": [{"id": 1, "name": "a"}]}
                """);
        DatasetException e = assertThrows(DatasetException.class, () -> CocoReader.read(box, null));
        assertTrue(e.getMessage().startsWith(box + ":2:") && e.getMessage().contains("4 numbers"), e.getMessage());
        Path id = write("id.json", "{\"images\": [{\"id\": \"one\", \"file_name\": \"x.jpg\"}]}");
        e = assertThrows(DatasetException.class, () -> CocoReader.read(id, null));
        assertTrue(e.getMessage().contains("image id must be a number, found one"), e.getMessage());
        Path dup = write("dup.json", "{\"categories\": [{\"id\": 1, \"name\": \"a\"}, {\"id\": 1, \"name\": \"b\"}]}");
        e = assertThrows(DatasetException.class, () -> CocoReader.read(dup, null));
        assertTrue(e.getMessage().contains("category id 1 appears twice"), e.getMessage());
    }

    @Test
    void writerAndReaderRoundTrip() throws IOException {
        Dataset d = CocoReader.read(write("in.json", EDGE_CASES), tmp);
        Path out = tmp.resolve("out/instances.json");
        CocoWriter.write(d, out);
        Dataset back = CocoReader.read(out, tmp);
        assertEquals(d.classes(), back.classes());
        assertEquals(d.categoryIds(), back.categoryIds());
        assertEquals(d.images(), back.images());
    }
}
