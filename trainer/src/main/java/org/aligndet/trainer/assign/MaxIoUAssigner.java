package org.aligndet.trainer.assign;

import org.aligndet.trainer.box.Boxes;

/**
 * Assigns each prior to the gt it overlaps most, with mmdetection's {@code MaxIoUAssigner} (v2)
 * semantics, applied in this order to an IoU matrix {@code [G, N]}:
 * <ol>
 *   <li>every prior starts {@link Assignment#IGNORED};</li>
 *   <li>{@code 0 <= maxIoU < negIou} → {@link Assignment#BACKGROUND};</li>
 *   <li>{@code maxIoU >= posIou} → its argmax gt (ties: the first gt);</li>
 *   <li>low-quality matches, when on: for each gt {@code i = 0..G-1} in turn whose best IoU is
 *       {@code >= minPosIou}, the priors reaching that best IoU (all of them with
 *       {@code gtMaxAssignAll}, else only the first) are assigned to {@code i}, overwriting earlier
 *       assignments, so on ties the last gt wins. As in mmdetection, a gt that overlaps no prior at all
 *       with {@code minPosIou = 0} claims every prior of IoU 0.</li>
 * </ol>
 * No gts: all background. No priors: an empty assignment.
 */
public final class MaxIoUAssigner {
    private final float posIou;
    private final float negIou;
    private final float minPosIou;
    private final boolean gtMaxAssignAll;
    private final boolean matchLowQuality;

    public MaxIoUAssigner(float posIou, float negIou, float minPosIou, boolean gtMaxAssignAll, boolean matchLowQuality) {
        if (negIou > posIou) {
            throw new IllegalArgumentException("negIou " + negIou + " above posIou " + posIou);
        }
        this.posIou = posIou;
        this.negIou = negIou;
        this.minPosIou = minPosIou;
        this.gtMaxAssignAll = gtMaxAssignAll;
        this.matchLowQuality = matchLowQuality;
    }

    /** RetinaNet's: positive >= 0.5, negative < 0.4, min positive IoU 0, all maxima, low-quality matches on. */
    public static MaxIoUAssigner retinaNet() {
        return new MaxIoUAssigner(0.5f, 0.4f, 0.0f, true, true);
    }

    /**
     * Where a box can overlap the priors: for a box, index ranges {@code [from, to)} of the priors,
     * ascending and disjoint, that hold every prior whose intersection with the box has positive
     * area (a prior outside them has IoU 0 with it). Lets {@link #assign(float[], float[], Candidates)}
     * compute only the IoUs that can be non-zero.
     */
    public interface Candidates {
        /** Calls {@code sink.range(from, to)} for each range, in ascending order. */
        void ranges(float x1, float y1, float x2, float y2, RangeSink sink);

        /**
         * How many groups the priors form (an anchor grid's levels): consecutive blocks of prior indices,
         * group after group. One by default.
         */
        default int groups() {
            return 1;
        }

        /** As {@link #ranges(float, float, float, float, RangeSink)}, within group {@code group} only. */
        default void ranges(int group, float x1, float y1, float x2, float y2, RangeSink sink) {
            ranges(x1, y1, x2, y2, sink);
        }

        /**
         * An upper bound of the IoU of a box of area {@code boxArea} with any prior of group {@code group}
         * (1 by default: no bound). From areas alone: {@code IoU(a, b) <= min(|a|, |b|) / max(|a|, |b|)}.
         */
        default double iouBound(int group, double boxArea) {
            return 1;
        }
    }

    /** Receives index ranges. */
    @FunctionalInterface
    public interface RangeSink {
        void range(int from, int to);
    }

    /**
     * The same assignment as {@link #assign(float[], float[])}, value for value (IoU 0 outside the
     * candidate ranges is what the full scan would compute there), with only the candidates' IoUs
     * computed. A gt that overlaps no prior at all falls back to the full scan of its row.
     */
    public Assignment assign(float[] priors, float[] gts, Candidates candidates) {
        Boxes.count(priors, "priors");
        return assign(Boxes.Columns.of(priors), gts, candidates);
    }

    /**
     * {@link #assign(float[], float[], Candidates)} on priors already in columns: a caller assigning many
     * images over the same priors prepares the columns once. The per-prior working arrays are reused
     * per thread (at R50 a call scans 160k priors, and a training step makes four calls).
     */
    public Assignment assign(Boxes.Columns cols, float[] gts, Candidates candidates) {
        int n = cols.size();
        if (Boxes.count(gts, "gts") == 0 || n == 0) {
            return Assignment.allBackground(n);
        }
        float[] maxOverlap = new float[n];
        int[] gtIndex = new int[n];
        assignInto(cols, gts, candidates, maxOverlap, false, gtIndex);
        return new Assignment(gtIndex, maxOverlap);
    }

    /**
     * {@link Assignment#gtIndex()} of {@link #assign(Boxes.Columns, float[], Candidates)} alone, for
     * callers that do not read the overlaps: those stay in this thread's working arrays, one array of
     * the priors' size less per call (at R50, 0.65 MB per image and step). Without the overlaps to
     * return, a gt's IoUs with a group of priors ({@link Candidates#iouBound}) are not computed when no
     * prior of the group can reach {@code negIou} nor the gt's best IoU among the groups computed
     * before it (groups in descending order of their bound): such IoUs change no prior's label and no
     * low-quality match. At R50 most of a large box's candidates are the small anchors of the finest
     * levels, which this skips.
     */
    public int[] assignIndices(Boxes.Columns cols, float[] gts, Candidates candidates) {
        int[] gtIndex = new int[cols.size()];
        assignIndices(cols, gts, candidates, gtIndex);
        return gtIndex;
    }

    /**
     * {@link #assignIndices(Boxes.Columns, float[], Candidates)} written into the first {@code n}
     * entries of {@code out} (at least the priors' count {@code n}): a caller assigning every step
     * keeps its array (0.65 MB per image-view at R50) rather than take a new one each call.
     */
    public void assignIndices(Boxes.Columns cols, float[] gts, Candidates candidates, int[] out) {
        int n = cols.size();
        if (out.length < n) {
            throw new IllegalArgumentException("an array of " + out.length + " for the indices of " + n + " priors");
        }
        if (Boxes.count(gts, "gts") == 0 || n == 0) {
            java.util.Arrays.fill(out, 0, n, Assignment.BACKGROUND);
            return;
        }
        float[] maxOverlap = Scratch.of(n).maxOverlap;
        java.util.Arrays.fill(maxOverlap, 0, n, 0f);
        assignInto(cols, gts, candidates, maxOverlap, true, out);
    }

    /**
     * @param maxOverlap at least {@code n} zeros, filled with each prior's best IoU (below {@code negIou}
     *                   where {@code prune} skipped a group, no higher than the full scan's)
     * @param gtIndex    at least {@code n} entries: the first {@code n} get the gt indices
     */
    private void assignInto(Boxes.Columns cols, float[] gts, Candidates candidates, float[] maxOverlap, boolean prune,
                            int[] gtIndex) {
        int n = cols.size();
        int g = gts.length / 4;
        Scratch scratch = Scratch.of(n);
        int[] best = scratch.best;
        java.util.Arrays.fill(best, 0, n, 0); // gt 0 where nothing overlaps, as the full scan leaves it
        // maxOverlap is 0 until a gt overlaps: the full scan's values there too
        float[] gtMax = new float[g];
        int[][] gtArgmax = new int[g][];
        float[] iou = scratch.iou; // read only inside the current gt's ranges, after they are written
        int groups = candidates.groups();
        double[] bound = new double[groups];
        Integer[] order = new Integer[groups];
        int[] segment = new int[2 * groups]; // per group, its [first, end) in ranges; -1: not computed
        int[][] ranges = {new int[16]};
        int[] nr = new int[1];
        RangeSink collect = (from, to) -> {
            if (nr[0] + 2 > ranges[0].length) {
                ranges[0] = java.util.Arrays.copyOf(ranges[0], 2 * ranges[0].length);
            }
            ranges[0][nr[0]++] = from;
            ranges[0][nr[0]++] = to;
        };
        for (int i = 0; i < g; i++) {
            float x1 = gts[4 * i], y1 = gts[4 * i + 1], x2 = gts[4 * i + 2], y2 = gts[4 * i + 3];
            double area = (double) (x2 - x1) * (y2 - y1);
            for (int k = 0; k < groups; k++) {
                // a margin over the float rounding of the IoUs computed below
                bound[k] = area > 0 ? candidates.iouBound(k, area) * (1 + 1e-4) + 1e-6 : Double.POSITIVE_INFINITY;
                order[k] = k;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(bound[b], bound[a]));
            java.util.Arrays.fill(segment, -1);
            nr[0] = 0;
            float rowMax = 0;
            for (int k : order) {
                if (prune && bound[k] < negIou && bound[k] < rowMax) {
                    break; // and every group after it, whose bounds are no higher
                }
                segment[2 * k] = nr[0];
                candidates.ranges(k, x1, y1, x2, y2, collect);
                segment[2 * k + 1] = nr[0];
                for (int r = segment[2 * k]; r < nr[0]; r += 2) {
                    int from = ranges[0][r], to = ranges[0][r + 1];
                    Boxes.iouRange(gts, i, cols, from, to, iou);
                    for (int j = from; j < to; j++) {
                        float v = iou[j];
                        if (v > maxOverlap[j]) { // strict: the first gt keeps ties
                            maxOverlap[j] = v;
                            best[j] = i;
                        }
                        rowMax = Math.max(rowMax, v);
                    }
                }
            }
            gtMax[i] = rowMax;
            if (rowMax > 0) {
                int t = 0;
                int[] ties = new int[8];
                // the groups in index order, so that the priors reaching the best IoU come ascending
                for (int k = 0; k < groups && (gtMaxAssignAll || t == 0); k++) {
                    for (int r = segment[2 * k]; r >= 0 && r < segment[2 * k + 1] && (gtMaxAssignAll || t == 0); r += 2) {
                        for (int j = ranges[0][r]; j < ranges[0][r + 1]; j++) {
                            if (iou[j] == rowMax) {
                                if (t == ties.length) {
                                    ties = java.util.Arrays.copyOf(ties, 2 * t);
                                }
                                ties[t++] = j;
                                if (!gtMaxAssignAll) {
                                    break;
                                }
                            }
                        }
                    }
                }
                gtArgmax[i] = java.util.Arrays.copyOf(ties, t);
            } else {
                // no overlap anywhere (every group computed): every prior reaches the gt's best IoU, 0
                int[] all = new int[gtMaxAssignAll ? n : 1];
                java.util.Arrays.setAll(all, j -> j);
                gtArgmax[i] = all;
            }
        }
        indices(n, g, best, maxOverlap, gtMax, gtArgmax, gtIndex);
    }

    /** @param priors N*4 xyxy; @param gts G*4 xyxy */
    public Assignment assign(float[] priors, float[] gts) {
        Boxes.count(priors, "priors");
        return assign(Boxes.Columns.of(priors), gts);
    }

    /** {@link #assign(float[], float[])} on priors already in columns. */
    public Assignment assign(Boxes.Columns cols, float[] gts) {
        int n = cols.size();
        int g = Boxes.count(gts, "gts");
        if (g == 0 || n == 0) {
            return Assignment.allBackground(n);
        }
        // the IoU matrix [g, n] is streamed row by row (one gt at a time) and never held whole: at R50
        // scale it is 160k anchors x the proposals, tens of MB per image and view. Each gt's best IoU and
        // the priors reaching it are kept as the row goes, for the low-quality matches.
        float[] row = new float[n];
        int[] best = new int[n];
        float[] maxOverlap = new float[n];
        float[] gtMax = new float[g];
        int[][] gtArgmax = new int[g][];
        int[] ties = new int[16];
        for (int i = 0; i < g; i++) {
            Boxes.iouRow(gts, i, cols, row);
            if (i == 0) {
                System.arraycopy(row, 0, maxOverlap, 0, n);
            } else {
                for (int j = 0; j < n; j++) {
                    if (row[j] > maxOverlap[j]) { // strict: the first gt keeps ties
                        maxOverlap[j] = row[j];
                        best[j] = i;
                    }
                }
            }
            float rowMax = row[0];
            int t = 0;
            for (int j = 0; j < n; j++) {
                float v = row[j];
                if (v > rowMax) {
                    rowMax = v;
                    t = 0;
                }
                if (v == rowMax) {
                    if (t == ties.length) {
                        ties = java.util.Arrays.copyOf(ties, 2 * t);
                    }
                    ties[t++] = j;
                }
            }
            gtMax[i] = rowMax;
            gtArgmax[i] = java.util.Arrays.copyOf(ties, gtMaxAssignAll ? t : 1); // ascending: [0] is the first prior
        }
        int[] gtIndex = new int[n];
        indices(n, g, best, maxOverlap, gtMax, gtArgmax, gtIndex);
        return new Assignment(gtIndex, maxOverlap);
    }

    /** Thresholds, then the low-quality matches (gt by gt, the last gt winning ties), over the first {@code n} priors, into {@code gtIndex}. */
    private void indices(int n, int g, int[] best, float[] maxOverlap, float[] gtMax, int[][] gtArgmax, int[] gtIndex) {
        for (int j = 0; j < n; j++) {
            float m = maxOverlap[j];
            gtIndex[j] = m >= posIou ? best[j] : (m >= 0 && m < negIou ? Assignment.BACKGROUND : Assignment.IGNORED);
        }
        if (matchLowQuality) {
            for (int i = 0; i < g; i++) {
                if (gtMax[i] < minPosIou) {
                    continue;
                }
                for (int j : gtArgmax[i]) {
                    gtIndex[j] = i;
                }
            }
        }
    }

    /** Per-thread working arrays of {@link #assign(Boxes.Columns, float[], Candidates)}, grown to the largest call. */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);
        int[] best = new int[0];
        float[] iou = new float[0];
        float[] maxOverlap = new float[0];

        static Scratch of(int n) {
            Scratch s = PER_THREAD.get();
            if (s.best.length < n) {
                s.best = new int[n];
                s.iou = new float[n];
                s.maxOverlap = new float[n];
            }
            return s;
        }
    }
}
