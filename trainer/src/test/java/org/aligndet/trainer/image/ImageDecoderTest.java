package org.aligndet.trainer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
    @TempDir
    Path dir;

    @Test
    void readsPngAsBgr() {
        var img = new java.awt.image.BufferedImage(5, 3, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(1, 2, 0xff0000); // pure red at x=1, y=2
        Path f = TestImages.write(img, dir.resolve("a.png"));
        try (Mat m = ImageDecoder.readBgr(f)) {
            assertEquals(3, m.rows());
            assertEquals(5, m.cols());
            var idx = m.createIndexer();
            org.bytedeco.javacpp.indexer.UByteIndexer u = (org.bytedeco.javacpp.indexer.UByteIndexer) idx;
            assertEquals(0, u.get(2, 1, 0));
            assertEquals(255, u.get(2, 1, 2));
        }
    }

    @Test
    void brokenFilesNameTheFile() throws Exception {
        for (Path f : TestImages.writeBroken(dir)) {
            CorruptImageException e = assertThrows(CorruptImageException.class, () -> ImageDecoder.readBgr(f).close());
            assertEquals(f, e.file());
            assertTrue(e.getMessage().contains(f.getFileName().toString()), e.getMessage());
        }
        assertThrows(CorruptImageException.class, () -> ImageDecoder.readBgr(dir.resolve("missing.png")));
    }
}
