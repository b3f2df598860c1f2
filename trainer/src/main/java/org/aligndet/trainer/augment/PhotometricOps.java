package org.aligndet.trainer.augment;

/**
 * The pixel arithmetic of the photometric ops on 8-bit RGB, with PIL's definitions
 * ({@code ImageOps} and {@code ImageEnhance}); each takes its parameter explicitly.
 *
 * <ul>
 *   <li>luma {@code L = (19595 R + 38470 G + 7471 B + 32768) >> 16} (PIL's RGB to L);
 *   <li>{@link #blend}: {@code out = trunc(clamp(d + f (v - d), 0, 255))} in float, PIL's
 *       {@code Image.blend(degenerate, image, f)}; an enhancement with factor 1 is the identity.
 * </ul>
 */
public final class PhotometricOps {
    private PhotometricOps() {
    }

    /** Per channel, maps {@code [min, max]} linearly onto {@code [0, 255]}: {@code trunc(v * s - min * s)}, {@code s = 255 / (max - min)}; a flat channel is kept. */
    public static RgbImage autocontrast(RgbImage img) {
        int[][] hist = histograms(img);
        int[][] lut = new int[3][256];
        for (int c = 0; c < 3; c++) {
            int lo = 0;
            while (lo < 256 && hist[c][lo] == 0) {
                lo++;
            }
            int hi = 255;
            while (hi >= 0 && hist[c][hi] == 0) {
                hi--;
            }
            for (int v = 0; v < 256; v++) {
                if (hi <= lo) {
                    lut[c][v] = v;
                } else {
                    double scale = 255.0 / (hi - lo);
                    double offset = -lo * scale;
                    lut[c][v] = clamp((int) (v * scale + offset));
                }
            }
        }
        return applyLut(img, lut);
    }

    /**
     * Per channel histogram equalisation as PIL: {@code step = (N - count of the last occupied
     * level) / 255} (integer division); if a channel has one level or {@code step == 0} it is kept;
     * else {@code lut[v] = min(255, (step / 2 + sum_{u < v} hist[u]) / step)}.
     */
    public static RgbImage equalize(RgbImage img) {
        int[][] hist = histograms(img);
        int[][] lut = new int[3][256];
        for (int c = 0; c < 3; c++) {
            long total = 0;
            int last = -1;
            int occupied = 0;
            for (int v = 0; v < 256; v++) {
                if (hist[c][v] > 0) {
                    total += hist[c][v];
                    last = v;
                    occupied++;
                }
            }
            long step = occupied <= 1 ? 0 : (total - hist[c][last]) / 255;
            long n = step / 2;
            for (int v = 0; v < 256; v++) {
                lut[c][v] = step == 0 ? v : (int) Math.min(255, n / step);
                n += hist[c][v];
            }
        }
        return applyLut(img, lut);
    }

    /** Inverts every value {@code >= threshold}: {@code v -> 255 - v}; {@code threshold} in {@code [0, 256]}. */
    public static RgbImage solarize(RgbImage img, int threshold) {
        int[] lut = new int[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = v >= threshold ? 255 - v : v;
        }
        return applyLut(img, new int[][] {lut, lut, lut});
    }

    /** Keeps the top {@code bits} bits (0..8) of every value: {@code v & (0xff << (8 - bits))}. */
    public static RgbImage posterize(RgbImage img, int bits) {
        if (bits < 0 || bits > 8) {
            throw new IllegalArgumentException("posterize bits must be in [0, 8], got " + bits);
        }
        int mask = (0xff << (8 - bits)) & 0xff;
        int[] lut = new int[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = v & mask;
        }
        return applyLut(img, new int[][] {lut, lut, lut});
    }

    /** Saturation: blends with the image's own luma as grey (PIL {@code ImageEnhance.Color}). */
    public static RgbImage color(RgbImage img, float factor) {
        byte[] grey = new byte[img.data().length];
        for (int p = 0; p < grey.length; p += 3) {
            byte l = (byte) luma(img.data(), p);
            grey[p] = l;
            grey[p + 1] = l;
            grey[p + 2] = l;
        }
        return blend(new RgbImage(img.height(), img.width(), grey), img, factor);
    }

    /** Blends with a flat grey of the mean luma, {@code trunc(mean + 0.5)} (PIL {@code ImageEnhance.Contrast}). */
    public static RgbImage contrast(RgbImage img, float factor) {
        byte[] d = img.data();
        long sum = 0;
        for (int p = 0; p < d.length; p += 3) {
            sum += luma(d, p);
        }
        int mean = (int) ((double) sum / (d.length / 3) + 0.5);
        byte[] flat = new byte[d.length];
        java.util.Arrays.fill(flat, (byte) mean);
        return blend(new RgbImage(img.height(), img.width(), flat), img, factor);
    }

    /** Blends with black: {@code trunc(clamp(v f))} (PIL {@code ImageEnhance.Brightness}). */
    public static RgbImage brightness(RgbImage img, float factor) {
        return blend(new RgbImage(img.height(), img.width(), new byte[img.data().length]), img, factor);
    }

    /**
     * Blends with a smoothed copy (PIL {@code ImageEnhance.Sharpness}): interior pixels of the
     * degenerate image are {@code round_half_up(sum(k * v) / 13)} with the 3x3 kernel
     * {@code [[1,1,1],[1,5,1],[1,1,1]]}; the one-pixel border is the original.
     */
    public static RgbImage sharpness(RgbImage img, float factor) {
        int h = img.height();
        int w = img.width();
        byte[] src = img.data();
        byte[] smooth = src.clone();
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                for (int c = 0; c < 3; c++) {
                    int s = 4 * img.get(y, x, c);
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            s += img.get(y + dy, x + dx, c);
                        }
                    }
                    smooth[(y * w + x) * 3 + c] = (byte) ((2 * s + 13) / 26);
                }
            }
        }
        return blend(new RgbImage(h, w, smooth), img, factor);
    }

    /** {@code out = trunc(clamp(d + f (v - d), 0, 255))}, computed in float: PIL's blend of {@code degenerate} and {@code img}. */
    public static RgbImage blend(RgbImage degenerate, RgbImage img, float factor) {
        byte[] d = degenerate.data();
        byte[] v = img.data();
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            int a = d[i] & 0xff;
            float t = a + factor * ((v[i] & 0xff) - a);
            out[i] = (byte) (t <= 0f ? 0 : t >= 255f ? 255 : (int) t);
        }
        return new RgbImage(img.height(), img.width(), out);
    }

    static int luma(byte[] d, int p) {
        return ((d[p] & 0xff) * 19595 + (d[p + 1] & 0xff) * 38470 + (d[p + 2] & 0xff) * 7471 + 0x8000) >> 16;
    }

    private static int[][] histograms(RgbImage img) {
        int[][] hist = new int[3][256];
        byte[] d = img.data();
        for (int p = 0; p < d.length; p += 3) {
            hist[0][d[p] & 0xff]++;
            hist[1][d[p + 1] & 0xff]++;
            hist[2][d[p + 2] & 0xff]++;
        }
        return hist;
    }

    private static RgbImage applyLut(RgbImage img, int[][] lut) {
        byte[] d = img.data();
        byte[] out = new byte[d.length];
        for (int p = 0; p < d.length; p += 3) {
            out[p] = (byte) lut[0][d[p] & 0xff];
            out[p + 1] = (byte) lut[1][d[p + 1] & 0xff];
            out[p + 2] = (byte) lut[2][d[p + 2] & 0xff];
        }
        return new RgbImage(img.height(), img.width(), out);
    }

    private static int clamp(int v) {
        return Math.min(255, Math.max(0, v));
    }
}
