package org.aligndet.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one COCO JSON parser: instances files as written, and results files entry by entry. */
class CocoJsonTest {
    @TempDir
    Path tmp;

    private Path write(String name, String json) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, json);
        return f;
    }

    @Test
    void instancesAreKeptAsWrittenForEveryView() throws IOException {
        CocoFile f = CocoJson.instances(write("gt.json", """
                {"images": [{"id": 1}, {"id": 2, "file_name": "b.jpg", "width": 4, "height": 3}],
                 "annotations": [{"id": 5, "image_id": 1, "category_id": 3.0, "bbox": [0.5, 1, 0, 2], "area": 7, "iscrowd": 1},
                                 {"image_id": 2, "category_id": 3, "bbox": [1, 1, 2, 2], "score": 0.5}],
                 "categories": [{"id": 3}]}
                """));
        assertEquals(2, f.images().size());
        assertNull(f.images().get(0).fileName(), "file_name is optional to the parser");
        assertTrue(f.imageWithoutFileNameAt().startsWith(f.file() + ":1:"), f.imageWithoutFileNameAt());
        assertEquals("3", f.categories().get(0).name(), "a category without name is named by its id");
        assertEquals(2, f.numAnnotations());
        assertEquals(3, f.categoryId(0), "an integral float is an integer id");
        assertEquals(0.0, f.bbox(0, 2), "zero-sized boxes are kept: filtering is the views' business");
        assertEquals(7.0, f.area(0));
        assertTrue(f.crowd(0));
        assertEquals(1, f.annotationWithoutId());
        assertEquals(1, f.annotationId(1), "no id: the index");
        assertTrue(Double.isNaN(f.area(1)));
        assertEquals(0.5, f.score(1));
        DatasetException e = assertThrows(DatasetException.class, () -> CocoReader.read(f, null));
        assertTrue(e.getMessage().contains("an image needs \"id\" and \"file_name\""), e.getMessage());
    }

    @Test
    void instancesRejectNonFiniteAndFractionalIdsWithLineAndColumn() throws IOException {
        Path nan = write("nan.json", "{\"annotations\": [\n{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, NaN, 1, 1]}]}");
        DatasetException e = assertThrows(DatasetException.class, () -> CocoJson.instances(nan));
        assertTrue(e.getMessage().startsWith(nan + ":2:") && e.getMessage().contains("bbox value must be a finite number, found NaN"),
                e.getMessage());
        Path frac = write("frac.json", "{\"images\": [{\"id\": 1.5, \"file_name\": \"a.jpg\"}]}");
        e = assertThrows(DatasetException.class, () -> CocoJson.instances(frac));
        assertTrue(e.getMessage().contains("image id must be an integer, found 1.5"), e.getMessage());
    }

    @Test
    void resultsComeEntryByEntryWithTheirImageIdText() throws IOException {
        Path f = write("dets.json", """
                [{"image_id": "000001", "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.5},
                 {"image_id": 7, "category_id": 1, "bbox": [0, 0, 1, 1], "score": NaN}]
                """);
        List<CocoJson.Result> out = new ArrayList<>();
        CocoJson.results(f, true, out::add);
        assertEquals(2, out.size());
        assertEquals("000001", out.get(0).imageIdText());
        assertNull(out.get(0).imageId(), "a string id has no integer value");
        assertEquals(4.0, out.get(0).h());
        assertEquals(7L, out.get(1).imageId());
        assertEquals("7", out.get(1).imageIdText());
        assertTrue(Double.isNaN(out.get(1).score()), "results pass NaN on, for the evaluator to name");
        DatasetException e = assertThrows(DatasetException.class, () -> CocoJson.results(f, false, r -> { }));
        assertTrue(e.getMessage().contains("result image_id must be a number, found 000001"), e.getMessage());
    }

    @Test
    void missingAndEmptyResultsFilesSaySo() throws IOException {
        DatasetException e = assertThrows(DatasetException.class, () -> CocoJson.results(tmp.resolve("nope.json"), false, r -> { }));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Path empty = write("empty.json", "");
        e = assertThrows(DatasetException.class, () -> CocoJson.results(empty, false, r -> { }));
        assertTrue(e.getMessage().contains("is empty (0 bytes)"), e.getMessage());
        Path object = write("object.json", "{}");
        e = assertThrows(DatasetException.class, () -> CocoJson.results(object, false, r -> { }));
        assertTrue(e.getMessage().startsWith(object + ":1:") && e.getMessage().contains("a results file must be an array"), e.getMessage());
    }

    @Test
    void fileNamesLeavingTheImageFolderAreRefusedNamingFileAndImage() throws IOException {
        for (String name : new String[] {"../secret.jpg", "/etc/passwd", "a/../../b.jpg", "C:\\\\x.jpg", "..\\\\x.jpg"}) {
            Path f = write("bad.json", "{\"images\": [{\"id\": 1, \"file_name\": \"ok.jpg\"},\n"
                    + "{\"file_name\": \"" + name + "\", \"id\": 7}]}");
            DatasetException e = assertThrows(DatasetException.class, () -> CocoJson.instances(f), name);
            assertTrue(e.getMessage().startsWith(f + ":2:") && e.getMessage().contains("image id 7: file_name '"),
                    e.getMessage());
        }
        Path fine = write("fine.json", "{\"images\": [{\"id\": 1, \"file_name\": \"sub/dir/a..b.jpg\"}]}");
        assertEquals("sub/dir/a..b.jpg", CocoJson.instances(fine).images().get(0).fileName());
    }
}
