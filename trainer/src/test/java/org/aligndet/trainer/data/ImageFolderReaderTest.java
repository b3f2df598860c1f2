package org.aligndet.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {
    @TempDir
    Path tmp;

    private Path image(String rel, String format, int w, int h) throws IOException {
        Path f = tmp.resolve(rel);
        Files.createDirectories(f.getParent());
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR), format, f.toFile());
        return f;
    }

    @Test
    void recursiveSortedByRelativePathWithSizesFromHeaders() throws IOException {
        image("b/2.PNG", "png", 30, 20);
        image("a/1.jpg", "jpeg", 17, 9);
        image("c.jpeg", "jpeg", 5, 6);
        image("a/z/d.bmp", "bmp", 7, 3);
        Files.writeString(tmp.resolve("a/notes.txt"), "not an image");
        Files.write(tmp.resolve("a/empty.jpg"), new byte[0]);
        Files.writeString(tmp.resolve("fake.jpg"), "text named .jpg");
        Dataset d = ImageFolderReader.read(tmp);
        assertEquals(List.of("a/1.jpg", "a/empty.jpg", "a/z/d.bmp", "b/2.PNG", "c.jpeg", "fake.jpg"),
                d.images().stream().map(ImageRecord::key).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), d.images().stream().map(ImageRecord::id).toList(), "ids from 1, as COCO numbers images");
        assertEquals(List.of(17, 0, 7, 30, 5, 0), d.images().stream().map(ImageRecord::width).toList(),
                "unreadable headers leave the size unknown (0)");
        assertEquals(List.of(9, 0, 3, 20, 6, 0), d.images().stream().map(ImageRecord::height).toList());
        assertEquals(List.of(0, 0, 0, 0, 0, 0),
                ImageFolderReader.read(tmp, false).images().stream().map(ImageRecord::width).toList());
    }

    @Test
    void headersOfTruncatedFilesAreUnknown() throws IOException {
        Path jpg = image("t.jpg", "jpeg", 40, 30);
        assertArrayEquals(new int[] {40, 30}, ImageHeaders.size(jpg));
        byte[] all = Files.readAllBytes(jpg);
        Files.write(jpg, java.util.Arrays.copyOf(all, 12));
        assertNull(ImageHeaders.size(jpg));
    }

    @Test
    void classFoldersGiveOneWholeImageInstance() throws IOException {
        image("cat/1.png", "png", 8, 8);
        image("ant/x.png", "png", 4, 6);
        image("ant/y.png", "png", 4, 4);
        Dataset d = ImageFolderReader.readClassFolders(tmp);
        assertEquals(List.of("ant", "cat"), d.classes());
        assertEquals(List.of("ant/x.png", "ant/y.png", "cat/1.png"), d.images().stream().map(ImageRecord::key).toList());
        Instance whole = d.images().get(0).instances().get(0);
        assertEquals(List.of(0f, 0f, 4f, 6f, 0f), List.of(whole.x1(), whole.y1(), whole.x2(), whole.y2(), (float) whole.label()));
        assertEquals(1, d.images().get(2).instances().get(0).label());
    }

    @Test
    void aMissingFolderIsNamed() {
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolderReader.read(tmp.resolve("nope")));
        assertEquals(tmp.resolve("nope") + ": not a directory", e.getMessage());
    }
}
