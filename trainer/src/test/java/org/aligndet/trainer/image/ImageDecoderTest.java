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

    @Test
    void missingFilesAreReportedAsMissing() {
        Path f = dir.resolve("gone.png");
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> ImageDecoder.readBgr(f));
        assertEquals(CorruptImageException.MISSING, e.reason());
        assertTrue(e.missing());
        assertEquals(f + ": missing", e.getMessage());
    }

    /** A PNG that claims 20000 x 20000 pixels (400 MP) in 60 bytes: refused from its header, never decoded. */
    @Test
    void imageBombsAreRefusedFromTheirHeader() throws Exception {
        java.nio.ByteBuffer png = java.nio.ByteBuffer.allocate(60);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        png.putInt(20000).putInt(20000).put(new byte[] {8, 2, 0, 0, 0});
        Path f = java.nio.file.Files.write(dir.resolve("bomb.png"), png.array());
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> ImageDecoder.readBgr(f));
        assertEquals("20000 x 20000 = 400000000 pixels, more than the cap of " + ImageDecoder.DEFAULT_MAX_PIXELS, e.reason());
    }

    @Test
    void thePixelCapIsTheCallers() {
        Path f = TestImages.write(TestImages.scene(20, 10, 1, 3).image(), dir.resolve("small.png"));
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> ImageDecoder.readBgr(f, 199));
        assertTrue(e.reason().startsWith("20 x 10 = 200 pixels, more than the cap of 199"), e.reason());
        try (Mat m = ImageDecoder.readBgr(f, 200)) {
            assertEquals(20, m.cols());
        }
    }

    /**
     * libjpeg prints "Corrupt JPEG data: 3 extraneous bytes before marker 0xdb" to stderr without the
     * file; the decoder logs a warning naming the file just before decoding it.
     */
    @Test
    void damagedJpegStructureIsLoggedWithTheFile() throws Exception {
        Path clean = TestImages.write(TestImages.scene(64, 48, 1, 5).image(), dir.resolve("clean.jpg"));
        byte[] b = java.nio.file.Files.readAllBytes(clean);
        int afterApp0 = 4 + (((b[4] & 0xff) << 8) | (b[5] & 0xff));
        byte[] damaged = new byte[b.length + 3];
        System.arraycopy(b, 0, damaged, 0, afterApp0);
        System.arraycopy(b, afterApp0, damaged, afterApp0 + 3, b.length - afterApp0);
        Path f = java.nio.file.Files.write(dir.resolve("damaged.jpg"), damaged);
        assertEquals("", stderrOf(() -> ImageDecoder.readBgr(clean).close()));
        String log = stderrOf(() -> ImageDecoder.readBgr(f).close());
        assertTrue(log.contains(f + ": corrupt JPEG data (3 extraneous bytes before a marker"), log);
    }

    private static String stderrOf(Runnable r) {
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(buf, true));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString();
    }
}
