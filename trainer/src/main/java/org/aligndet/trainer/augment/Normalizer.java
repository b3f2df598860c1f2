package org.aligndet.trainer.augment;

/**
 * RGB bytes to a normalised float CHW tensor padded bottom/right: the valid region holds
 * {@code (v - mean[c]) / std[c]}, the padding {@code 0} (the mean colour, after normalisation).
 */
public final class Normalizer {
    private Normalizer() {
    }

    /** The smallest multiple of {@code divisor} that is {@code >= n}. */
    public static int padTo(int n, int divisor) {
        return (n + divisor - 1) / divisor * divisor;
    }

    public static ImageTensor normalizeAndPad(RgbImage img, float[] mean, float[] std, int divisor) {
        int h = img.height();
        int w = img.width();
        int ph = padTo(h, divisor);
        int pw = padTo(w, divisor);
        float[] out = new float[3 * ph * pw];
        byte[] d = img.data();
        for (int c = 0; c < 3; c++) {
            float m = mean[c];
            float inv = 1f / std[c];
            int plane = c * ph * pw;
            for (int y = 0; y < h; y++) {
                int row = plane + y * pw;
                int src = y * w * 3 + c;
                for (int x = 0; x < w; x++) {
                    out[row + x] = ((d[src + 3 * x] & 0xff) - m) * inv;
                }
            }
        }
        return new ImageTensor(3, ph, pw, out);
    }
}
