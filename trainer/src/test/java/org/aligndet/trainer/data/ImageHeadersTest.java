package org.aligndet.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** WebP canvases read from the header, as PNG, JPEG and BMP sizes are ({@link ImageFolderReaderTest}). */
class ImageHeadersTest {
    private static ByteBuffer riff(String chunk) {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(32).put("WEBP".getBytes(StandardCharsets.US_ASCII))
                .put(chunk.getBytes(StandardCharsets.US_ASCII)).putInt(20);
        return b;
    }

    @Test
    void webpCanvasesOfEachKind() {
        ByteBuffer x = riff("VP8X");
        x.put(20, (byte) 0);
        x.put(24, (byte) 0x0F).put(25, (byte) 0x27).put(26, (byte) 0); // width - 1 = 9999
        x.put(27, (byte) 0x0F).put(28, (byte) 0x27).put(29, (byte) 0); // height - 1 = 9999
        assertArrayEquals(new int[] {10000, 10000}, ImageHeaders.size(x.array()));

        ByteBuffer l = riff("VP8L");
        l.put(20, (byte) 0x2F).putInt(21, (99) | (49 << 14)); // 100 x 50
        assertArrayEquals(new int[] {100, 50}, ImageHeaders.size(l.array()));

        ByteBuffer v = riff("VP8 ");
        v.putShort(26, (short) 640).putShort(28, (short) 480);
        assertArrayEquals(new int[] {640, 480}, ImageHeaders.size(v.array()));

        assertNull(ImageHeaders.size(riff("ALPH").array()));
    }
}
