package org.aligndet.trainer.mask;

import java.util.ArrayList;
import java.util.List;

/**
 * Pastes Mask R-CNN's per-detection mask probabilities into the image, mmdetection 2.x's
 * {@code FCNMaskHead.get_seg_masks} with {@code _do_paste_mask}, host side:
 * <ul>
 *   <li>the detection's {@code maskH x maskW} map (probabilities of its own class, i.e. after the
 *       sigmoid) is stretched over its box {@code (x0, y0, x1, y1)} in <em>original</em> image pixels
 *       (boxes of the resized input are divided by the scale factors first, {@link #toOriginal});</li>
 *   <li>image pixel {@code (x, y)} samples it at the grid point {@code gx = (x + 0.5 - x0) / (x1 - x0)
 *       * 2 - 1} (likewise {@code gy}; an infinite value, from an empty box, becomes 0) with
 *       {@code F.grid_sample(mode='bilinear', padding_mode='zeros', align_corners=False)}: source
 *       position {@code (gx + 1) * maskW / 2 - 0.5}, the four neighbours weighted bilinearly, a neighbour
 *       outside the map reading 0;</li>
 *   <li>only pixels in {@code [max(floor(x0) - 1, 0), min(ceil(x1) + 1, W))} (likewise in y) are
 *       computed, as mmdetection does on the CPU ({@code skip_empty=True}); the rest of the image is 0.
 *       On the GPU mmdetection samples the whole image instead; for thresholds {@code >= 0.5} the two
 *       give the same binary mask for any box of positive width and height, since outside that window
 *       every bilinear weight on the map is below 0.5 (an empty box differs: its infinite grid
 *       coordinates become 0, so the whole-image paste reads the map's centre line across the image);</li>
 *   <li>the binary mask is {@code value >= threshold} ({@code mask_thr_binary}, 0.5), returned as a
 *       COCO {@link Rle} of the original image size (what {@code encode_mask_results} writes).</li>
 * </ul>
 * The arithmetic is float32 in PyTorch's order (the vectorised CPU grid sampler).
 */
public final class MaskPaste {
    private final float threshold;

    /** @param threshold {@code mask_thr_binary}, mmdetection's default 0.5 */
    public MaskPaste(double threshold) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("mask threshold must be in [0, 1], got " + threshold);
        }
        this.threshold = (float) threshold;
    }

    public static MaskPaste mmdetection() {
        return new MaskPaste(0.5);
    }

    /**
     * Boxes of the resized network input mapped back to the original image: mmdetection's
     * {@code bboxes / scale_factor} with {@code scale_factor = [scaleW, scaleH, scaleW, scaleH]}, float32.
     *
     * @param boxes {@code float[K * 4]} xyxy
     */
    public static float[] toOriginal(float[] boxes, float scaleW, float scaleH) {
        float[] out = new float[boxes.length];
        for (int i = 0; i < boxes.length; i++) {
            out[i] = boxes[i] / (i % 2 == 0 ? scaleW : scaleH);
        }
        return out;
    }

    /**
     * One mask per detection.
     *
     * @param probs  {@code float[K * maskH * maskW]} probabilities, detection-major then row-major
     * @param boxes  {@code float[K * 4]} xyxy in original image pixels
     * @param height the original image's height
     * @param width  the original image's width
     */
    public List<Rle> paste(float[] probs, int maskH, int maskW, float[] boxes, int height, int width) {
        int k = boxes.length / 4;
        if (boxes.length != 4 * k || probs.length != k * maskH * maskW) {
            throw new IllegalArgumentException(boxes.length + " box coordinates and " + probs.length + " mask values for masks of "
                    + maskH + "x" + maskW);
        }
        List<Rle> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(paste(probs, i * maskH * maskW, maskH, maskW, boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2],
                    boxes[4 * i + 3], height, width));
        }
        return out;
    }

    /** One detection's mask: {@code probs[at .. at + maskH * maskW)} into box {@code (x0, y0, x1, y1)}. */
    public Rle paste(float[] probs, int at, int maskH, int maskW, float x0, float y0, float x1, float y1, int height, int width) {
        Window win = window(x0, y0, x1, y1, height, width);
        // 1 pixels in column-major order (index x * height + y), turned into runs
        long[] runs = new long[16];
        int n = 0;
        long last = 0; // end of the previous run of 1s
        float[] column = win.empty() ? null : new float[win.y1 - win.y0];
        for (int x = win.x0; x < win.x1 && column != null; x++) {
            sampleColumn(probs, at, maskH, maskW, x0, y0, x1, y1, x, win, column);
            int y = 0;
            while (y < column.length) {
                if (!(column[y] >= threshold)) {
                    y++;
                    continue;
                }
                int start = y;
                while (y < column.length && column[y] >= threshold) {
                    y++;
                }
                long from = (long) x * height + win.y0 + start;
                long to = (long) x * height + win.y0 + y;
                if (n > 0 && from == last) {
                    runs[n - 1] += to - from; // continues the previous column's run
                } else {
                    if (n + 2 > runs.length) {
                        runs = java.util.Arrays.copyOf(runs, 2 * runs.length);
                    }
                    runs[n++] = from - last;
                    runs[n++] = to - from;
                }
                last = to;
            }
        }
        if (n + 1 > runs.length) {
            runs = java.util.Arrays.copyOf(runs, n + 1);
        }
        runs[n++] = (long) height * width - last;
        return Rle.of(height, width, java.util.Arrays.copyOf(runs, n));
    }

    /**
     * The pasted probabilities (before the threshold) over the whole {@code height x width} image,
     * row-major, 0 outside the computed window: for checks against PyTorch.
     */
    public static float[] pastedProbabilities(float[] probs, int at, int maskH, int maskW, float x0, float y0, float x1,
                                              float y1, int height, int width) {
        Window win = window(x0, y0, x1, y1, height, width);
        float[] out = new float[height * width];
        if (win.empty()) {
            return out;
        }
        float[] column = new float[win.y1 - win.y0];
        for (int x = win.x0; x < win.x1; x++) {
            sampleColumn(probs, at, maskH, maskW, x0, y0, x1, y1, x, win, column);
            for (int y = 0; y < column.length; y++) {
                out[(win.y0 + y) * width + x] = column[y];
            }
        }
        return out;
    }

    /** The pixels {@code [x0, x1) x [y0, y1)} that {@code _do_paste_mask(skip_empty=True)} computes. */
    private record Window(int x0, int y0, int x1, int y1) {
        boolean empty() {
            return x1 <= x0 || y1 <= y0;
        }
    }

    private static Window window(float x0, float y0, float x1, float y1, int height, int width) {
        // torch.clamp(boxes.min(dim=0).values.floor()[:2] - 1, min=0) and clamp(max.ceil() + 1, max=W), as int32
        int wx0 = (int) Math.max((float) Math.floor(x0) - 1f, 0f);
        int wy0 = (int) Math.max((float) Math.floor(y0) - 1f, 0f);
        int wx1 = (int) Math.min((float) Math.ceil(x1) + 1f, (float) width);
        int wy1 = (int) Math.min((float) Math.ceil(y1) + 1f, (float) height);
        return new Window(wx0, wy0, wx1, wy1);
    }

    /** Grid coordinate of pixel {@code p} in box side {@code [lo, hi]}: {@code (p + 0.5 - lo) / (hi - lo) * 2 - 1}, inf → 0. */
    private static float grid(int p, float lo, float hi) {
        float g = ((float) p + 0.5f - lo) / (hi - lo) * 2f - 1f;
        return Float.isInfinite(g) ? 0f : g;
    }

    /** Column {@code x} of the window: grid_sample at each of its rows into {@code column}. */
    private static void sampleColumn(float[] probs, int at, int maskH, int maskW, float x0, float y0, float x1, float y1,
                                     int x, Window win, float[] column) {
        float sx = unnormalize(grid(x, x0, x1), maskW);
        for (int y = win.y0; y < win.y1; y++) {
            float sy = unnormalize(grid(y, y0, y1), maskH);
            column[y - win.y0] = bilinear(probs, at, maskH, maskW, sy, sx);
        }
    }

    /** align_corners=False: {@code (g + 1) * (size / 2) - 0.5}, as PyTorch's vectorised CPU kernel. */
    private static float unnormalize(float g, int size) {
        return (g + 1f) * ((float) size / 2f) - 0.5f;
    }

    /** grid_sample's bilinear read with zero padding; NaN positions read 0. */
    private static float bilinear(float[] m, int at, int h, int w, float y, float x) {
        if (Float.isNaN(x) || Float.isNaN(y)) {
            return 0f;
        }
        float xw = (float) Math.floor(x);
        float yn = (float) Math.floor(y);
        float we = x - xw;
        float e = 1f - we;
        float n = y - yn;
        float s = 1f - n;
        float nw = s * e;
        float ne = s * we;
        float sw = n * e;
        float se = n * we;
        int ix = (int) xw;
        int iy = (int) yn;
        return read(m, at, h, w, iy, ix) * nw + read(m, at, h, w, iy, ix + 1) * ne
                + read(m, at, h, w, iy + 1, ix) * sw + read(m, at, h, w, iy + 1, ix + 1) * se;
    }

    private static float read(float[] m, int at, int h, int w, int y, int x) {
        return y >= 0 && y < h && x >= 0 && x < w ? m[at + y * w + x] : 0f;
    }
}
