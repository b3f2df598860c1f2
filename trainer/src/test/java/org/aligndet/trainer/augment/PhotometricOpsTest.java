package org.aligndet.trainer.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Hand-computed values on a 2x2 image. */
class PhotometricOpsTest {
    // pixels (R, G, B): (0, 10, 200) (100, 128, 255) (50, 60, 70) (250, 127, 20)
    private static final RgbImage IMG = rgb(0, 10, 200, 100, 128, 255, 50, 60, 70, 250, 127, 20);

    private static RgbImage rgb(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return new RgbImage(2, v.length / 6, b);
    }

    private static int[] values(RgbImage img) {
        int[] out = new int[img.data().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = img.data()[i] & 0xff;
        }
        return out;
    }

    @Test
    void identity() {
        assertSame(IMG, PhotometricOp.IDENTITY.apply(IMG, 0.7));
    }

    @Test
    void solarizeInvertsAtAndAboveThreshold() {
        assertArrayEquals(new int[] {0, 10, 55, 100, 127, 0, 50, 60, 70, 5, 127, 20}, values(PhotometricOps.solarize(IMG, 128)));
        assertArrayEquals(values(IMG), values(PhotometricOp.SOLARIZE.apply(IMG, 0)));
        assertEquals(128, PhotometricOp.solarizeThreshold(0.5));
    }

    @Test
    void posterizeKeepsTopBits() {
        // 4 bits: v & 0xf0
        assertArrayEquals(new int[] {0, 0, 192, 96, 128, 240, 48, 48, 64, 240, 112, 16}, values(PhotometricOps.posterize(IMG, 4)));
        assertArrayEquals(values(IMG), values(PhotometricOps.posterize(IMG, 8)));
        assertEquals(6, PhotometricOp.posterizeBits(0.5));
    }

    @Test
    void autocontrastStretchesEachChannel() {
        // R: [0, 250] -> x 1.02; G: [10, 128] -> (v - 10) * 255 / 118; B: [20, 255] -> (v - 20) * 255 / 235
        assertArrayEquals(new int[] {0, 0, 195, 102, 255, 254, 51, 108, 54, 255, 252, 0}, values(PhotometricOps.autocontrast(IMG)));
    }

    @Test
    void equalizeFollowsPilLut() {
        // 4 pixels, 4 distinct levels per channel: step = (4 - 1) / 255 = 0 -> unchanged
        assertArrayEquals(values(IMG), values(PhotometricOps.equalize(IMG)));
        // 1x600 image: 300 pixels of 10 and 300 of 20 in every channel: step = 300 / 255 = 1, n0 = 0
        // lut[10] = 0 (nothing below 10), lut[20] = 300 -> 255
        byte[] b = new byte[600 * 3];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i < 900 ? 10 : 20);
        }
        RgbImage eq = PhotometricOps.equalize(new RgbImage(1, 600, b));
        assertEquals(0, eq.get(0, 0, 0));
        assertEquals(255, eq.get(0, 599, 2));
    }

    @Test
    void brightnessScalesAndTruncates() {
        // factor 0.5: trunc(v * 0.5); factor 1.5 clamps at 255
        assertArrayEquals(new int[] {0, 5, 100, 50, 64, 127, 25, 30, 35, 125, 63, 10}, values(PhotometricOps.brightness(IMG, 0.5f)));
        assertEquals(255, PhotometricOps.brightness(IMG, 1.5f).get(0, 1, 2));
        assertArrayEquals(values(IMG), values(PhotometricOp.BRIGHTNESS.apply(IMG, 0.5)));
    }

    @Test
    void colorZeroIsLuma() {
        // luma of (0, 10, 200) = (0 + 384700 + 1494200 + 32768) >> 16 = 29
        RgbImage grey = PhotometricOps.color(IMG, 0f);
        assertEquals(29, grey.get(0, 0, 0));
        assertEquals(29, grey.get(0, 0, 2));
    }

    @Test
    void contrastZeroIsMeanLuma() {
        // lumas: 29, 134, 58, 152 -> mean 93.25 -> 93
        RgbImage flat = PhotometricOps.contrast(IMG, 0f);
        for (int v : values(flat)) {
            assertEquals(93, v);
        }
    }

    @Test
    void sharpnessZeroIsSmoothInteriorOnly() {
        // 3x3 grey, centre 130, border 0: smooth centre = round(5 * 130 / 13) = 50; border kept
        byte[] b = new byte[27];
        b[12] = (byte) 130;
        b[13] = (byte) 130;
        b[14] = (byte) 130;
        RgbImage img = new RgbImage(3, 3, b);
        RgbImage s = PhotometricOps.sharpness(img, 0f);
        assertEquals(50, s.get(1, 1, 0));
        assertEquals(0, s.get(0, 0, 0));
        // factor 2: 50 + 2 * (130 - 50) = 210
        assertEquals(210, PhotometricOps.sharpness(img, 2f).get(1, 1, 1));
    }
}
