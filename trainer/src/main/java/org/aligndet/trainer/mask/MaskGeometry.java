package org.aligndet.trainer.mask;

/**
 * How a view's pixels relate to the original image, for ground-truth masks: mmdetection 2.x's mask
 * pipeline, which the boxes of {@code augment.View} follow too. In that pipeline a bitmap mask
 * ({@code LoadAnnotations(poly2mask=True)}, the default) is
 * <ol>
 *   <li>rasterised at the original size ({@code origWidth x origHeight});</li>
 *   <li>resized by {@code Resize(keep_ratio=True)} to the view's size ({@code viewWidth x viewHeight})
 *       with OpenCV's nearest neighbour ({@code mmcv.imrescale(mask, scale, interpolation='nearest')}):
 *       view column {@code x} reads original column {@code min(floor(x * ifx), origWidth - 1)},
 *       {@code ifx = 1 / (viewWidth / origWidth)} in double, as {@code cv::resize}'s {@code resizeNN};</li>
 *   <li>mirrored by {@code RandomFlip} ({@code mask[:, ::-1]}) when {@code flipped};</li>
 *   <li>padded with zeros by {@code Pad} to {@code padWidth x padHeight} (the padded image's size).</li>
 * </ol>
 * From a view: {@code new MaskGeometry(record.width(), record.height(), view.validWidth(),
 * view.validHeight(), view.image().width(), view.image().height(), view.flipped())}.
 */
public record MaskGeometry(int origWidth, int origHeight, int viewWidth, int viewHeight, int padWidth, int padHeight,
                           boolean flipped) {
    public MaskGeometry {
        if (origWidth <= 0 || origHeight <= 0 || viewWidth <= 0 || viewHeight <= 0) {
            throw new IllegalArgumentException("sizes must be positive: original " + origWidth + "x" + origHeight
                    + ", view " + viewWidth + "x" + viewHeight);
        }
        if (padWidth < viewWidth || padHeight < viewHeight) {
            throw new IllegalArgumentException("padded size " + padWidth + "x" + padHeight + " is smaller than the view "
                    + viewWidth + "x" + viewHeight);
        }
    }

    /** A view of the original image itself: no resize, no flip, no padding. */
    public static MaskGeometry identity(int width, int height) {
        return new MaskGeometry(width, height, width, height, width, height, false);
    }

    /** For each padded-view column, the original column it shows, or -1 in the padding. */
    int[] sourceColumns() {
        int[] src = nearest(origWidth, viewWidth, padWidth);
        if (flipped) {
            for (int i = 0, j = viewWidth - 1; i < j; i++, j--) {
                int t = src[i];
                src[i] = src[j];
                src[j] = t;
            }
        }
        return src;
    }

    /** For each padded-view row, the original row it shows, or -1 in the padding. */
    int[] sourceRows() {
        return nearest(origHeight, viewHeight, padHeight);
    }

    /** OpenCV's {@code INTER_NEAREST} map from {@code dst} back to {@code src} samples, padded with -1. */
    static int[] nearest(int src, int dst, int padded) {
        int[] out = new int[padded];
        double inv = 1. / ((double) dst / src);
        for (int i = 0; i < padded; i++) {
            out[i] = i < dst ? Math.min((int) Math.floor(i * inv), src - 1) : -1;
        }
        return out;
    }

    /**
     * The ground-truth mask as it lies in the padded view, {@code padHeight x padWidth} row-major
     * 0/1 (for checks and pictures: {@link MaskTargets} samples the original mask directly).
     */
    public byte[] toView(Rle original) {
        checkOriginal(original);
        boolean[] colMajor = original.decode();
        int[] sx = sourceColumns();
        int[] sy = sourceRows();
        byte[] out = new byte[padWidth * padHeight];
        for (int y = 0; y < padHeight; y++) {
            if (sy[y] < 0) {
                continue;
            }
            for (int x = 0; x < padWidth; x++) {
                if (sx[x] >= 0 && colMajor[sx[x] * origHeight + sy[y]]) {
                    out[y * padWidth + x] = 1;
                }
            }
        }
        return out;
    }

    void checkOriginal(Rle mask) {
        if (mask.width() != origWidth || mask.height() != origHeight) {
            throw new IllegalArgumentException("mask of " + mask.width() + "x" + mask.height() + " pixels, but the original image is "
                    + origWidth + "x" + origHeight);
        }
    }
}
