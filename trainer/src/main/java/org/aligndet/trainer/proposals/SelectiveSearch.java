package org.aligndet.trainer.proposals;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2HSV;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_ximgproc.createGraphSegmentation;
import static org.bytedeco.opencv.global.opencv_ximgproc.createSelectiveSearchSegmentation;
import static org.bytedeco.opencv.global.opencv_ximgproc.createSelectiveSearchSegmentationStrategyColor;
import static org.bytedeco.opencv.global.opencv_ximgproc.createSelectiveSearchSegmentationStrategyFill;
import static org.bytedeco.opencv.global.opencv_ximgproc.createSelectiveSearchSegmentationStrategyMultiple;
import static org.bytedeco.opencv.global.opencv_ximgproc.createSelectiveSearchSegmentationStrategySize;
import static org.bytedeco.opencv.global.opencv_ximgproc.createSelectiveSearchSegmentationStrategyTexture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.aligndet.trainer.box.Boxes;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_ximgproc.SelectiveSearchSegmentation;

/**
 * OpenCV ximgproc selective search on the image resized so its long side is {@code longSide}
 * (bilinear; {@code s = longSide / max(w, h)}, size {@code int(w s + 0.5) x int(h s + 0.5)}),
 * boxes mapped back to the original frame by the applied factors {@code newW / w} and
 * {@code newH / h} and rounded to {@link Proposal#DECIMALS} decimals.
 *
 * <p><b>Rank order.</b> OpenCV sorts its regions by {@code level * rand()} with the C library's
 * global {@code rand()}, so its output order depends on what else ran in the process (other
 * images, other threads) and would break determinism and resuming. The set of boxes is a
 * function of the image only, so this class ranks that set itself: first by <i>support</i>, the
 * number of other search results with IoU {@code >= 0.7} (a box that many segmentations and
 * strategies agree on ranks first), then by a fixed 64-bit mix of the box's integer corners at
 * the search scale (a pseudo-random shuffle, like OpenCV's rank), then by {@code (x, y, w, h)}.
 * NMS keeps the better-ranked box and top-K takes the first K. On drawn scenes this ranking
 * raised recall at IoU 0.7 after NMS over the shuffle alone (see {@code ProposalRecallBench}).
 */
public final class SelectiveSearch {
    private static final float SINGLE_K = 300f;
    private static final double SINGLE_SIGMA = 0.9;
    private static final int SINGLE_MIN_SIZE = 100;
    /** IoU at which another search result counts as support for a box. */
    static final double SUPPORT_IOU = 0.7;

    private final SearchMode mode;
    private final int longSide;

    public SelectiveSearch(SearchMode mode, int longSide) {
        if (longSide < 16) {
            throw new IllegalArgumentException("long side must be >= 16, got " + longSide);
        }
        this.mode = mode;
        this.longSide = longSide;
    }

    /** Ranked boxes {@code {x1, y1, x2, y2}} in the frame of {@code bgr} (8-bit BGR, not closed). */
    public List<double[]> propose(Mat bgr) {
        int w = bgr.cols();
        int h = bgr.rows();
        double s = (double) longSide / Math.max(w, h);
        int nw = Math.max(1, (int) (w * s + 0.5));
        int nh = Math.max(1, (int) (h * s + 0.5));
        List<int[]> rects = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            Mat small = new Mat();
            resize(bgr, small, new Size(nw, nh), 0, 0, INTER_LINEAR);
            SelectiveSearchSegmentation ss = createSelectiveSearchSegmentation();
            ss.setBaseImage(small);
            configure(ss, small);
            RectVector out = new RectVector();
            ss.process(out);
            for (long i = 0; i < out.size(); i++) {
                Rect r = out.get(i);
                rects.add(new int[] {r.x(), r.y(), r.width(), r.height()});
            }
        }
        rank(rects);
        double sx = (double) nw / w;
        double sy = (double) nh / h;
        List<double[]> boxes = new ArrayList<>(rects.size());
        for (int[] r : rects) {
            boxes.add(new double[] {Proposal.round(r[0] / sx), Proposal.round(r[1] / sy),
                Proposal.round((r[0] + r[2]) / sx), Proposal.round((r[1] + r[3]) / sy)});
        }
        return boxes;
    }

    private void configure(SelectiveSearchSegmentation ss, Mat small) {
        switch (mode) {
            case FAST -> ss.switchToSelectiveSearchFast();
            case QUALITY -> ss.switchToSelectiveSearchQuality();
            case SINGLE -> {
                Mat hsv = new Mat();
                cvtColor(small, hsv, COLOR_BGR2HSV);
                ss.addImage(hsv);
                ss.addGraphSegmentation(createGraphSegmentation(SINGLE_SIGMA, SINGLE_K, SINGLE_MIN_SIZE));
                ss.addStrategy(createSelectiveSearchSegmentationStrategyMultiple(
                        createSelectiveSearchSegmentationStrategyColor(), createSelectiveSearchSegmentationStrategyFill(),
                        createSelectiveSearchSegmentationStrategySize(), createSelectiveSearchSegmentationStrategyTexture()));
            }
            default -> throw new IllegalStateException("unhandled mode " + mode);
        }
    }

    /** Sorts by support (descending), then the fixed pseudo-random key, then {@code (x, y, w, h)}. */
    static void rank(List<int[]> rects) {
        int n = rects.size();
        int[] support = new int[n];
        double[][] b = new double[n][];
        for (int i = 0; i < n; i++) {
            int[] r = rects.get(i);
            b[i] = new double[] {r[0], r[1], r[0] + r[2], r[1] + r[3]};
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (Boxes.iouFloat64(b[i], b[j]) >= SUPPORT_IOU) {
                    support[i]++;
                    support[j]++;
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.<Integer>comparingInt(i -> -support[i]).thenComparingLong(i -> rankKey(rects.get(i)))
                .thenComparingInt(i -> rects.get(i)[0]).thenComparingInt(i -> rects.get(i)[1])
                .thenComparingInt(i -> rects.get(i)[2]).thenComparingInt(i -> rects.get(i)[3]));
        List<int[]> sorted = new ArrayList<>(n);
        for (int i : order) {
            sorted.add(rects.get(i));
        }
        rects.clear();
        rects.addAll(sorted);
    }

    /** A fixed pseudo-random key of a rectangle {@code {x, y, w, h}} (SplitMix64 finaliser). */
    static long rankKey(int[] r) {
        long z = ((long) r[0] << 48) ^ ((long) r[1] << 32) ^ ((long) r[2] << 16) ^ r[3];
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
