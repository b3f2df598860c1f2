package org.aligndet.export.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.data.ImageRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The images a prediction runs on: a folder (formerly the predict command's own listing) or a dataset. */
class ImageRefTest {
    @TempDir
    Path dir;

    @Test
    void aFolderIsListedByRelativePathWithIds1ToN() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        for (String f : List.of("b.jpg", "a.png", "sub/c.jpg")) {
            Files.write(dir.resolve(f), new byte[] {1});
        }
        List<ImageRef> refs = ImageRef.folder(dir);
        assertEquals(List.of("a.png", "b.jpg", "sub/c.jpg"), refs.stream().map(ImageRef::key).toList());
        assertEquals(List.of(1L, 2L, 3L), refs.stream().map(ImageRef::id).toList());
        assertEquals(List.of(new ImageRef(1, "b.jpg", dir.resolve("b.jpg"))), ImageRef.folder(dir.resolve("b.jpg")));
    }

    @Test
    void aDatasetKeepsItsIdsAndKeys() {
        Dataset ds = new Dataset("x", List.of(), List.of(), List.of(new ImageRecord(42, "k.jpg", dir.resolve("k.jpg"), 0, 0, List.of())));
        assertEquals(List.of(new ImageRef(42, "k.jpg", dir.resolve("k.jpg"))), ImageRef.all(ds));
    }
}
