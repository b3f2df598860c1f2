package org.aligndet.trainer.mask;

import java.util.Arrays;
import java.util.List;

/**
 * A binary mask of {@code h x w} pixels as COCO's run-length encoding (the facts of pycocotools'
 * {@code maskApi}): pixels in column-major (Fortran) order, {@code index = x * h + y}; runs
 * alternate between 0s and 1s, starting with a run of 0s (which may be empty). Immutable.
 *
 * <p>Every instance is valid: {@code h, w >= 0}, {@code h * w} fits in an int, every run is
 * {@code >= 0} and the runs sum to {@code h * w}. Empty runs inside the sequence are merged away on
 * construction (the pixels are the same), so two equal masks have equal runs.
 *
 * <p>Conversions: {@link #encode}/{@link #decode} (pixels), {@link #fromString}/{@link #toString()}
 * (COCO's compressed {@code counts} string), {@link #fromPolygon} and {@link #fromBox} (as
 * pycocotools rasterises them), {@link #union}. Measures: {@link #area}, {@link #bbox},
 * {@link #iou} (with crowd regions as pycocotools' {@code rleIou}).
 */
public final class Rle {
    /** pycocotools' polygon upsampling factor. */
    private static final double SCALE = 5;

    private final int h;
    private final int w;
    private final int[] counts;

    private Rle(int h, int w, int[] counts) {
        this.h = h;
        this.w = w;
        this.counts = counts;
    }

    /**
     * The mask with these runs (COCO's uncompressed {@code counts}).
     *
     * @throws IllegalArgumentException when a size or a run is negative, or the runs do not sum to {@code h * w}
     */
    public static Rle of(int h, int w, long[] counts) {
        long n = pixels(h, w);
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("run " + i + " is negative (" + counts[i] + ")");
            }
            sum += counts[i];
            if (sum > n) {
                break;
            }
        }
        if (sum != n) {
            throw new IllegalArgumentException("the runs sum to " + (sum > n ? "more than " + n : sum) + ", not h * w = "
                    + h + " * " + w + " = " + n);
        }
        return canonical(h, w, counts, counts.length);
    }

    /** Checks the size and returns {@code h * w}. */
    private static long pixels(int h, int w) {
        if (h < 0 || w < 0) {
            throw new IllegalArgumentException("size [h, w] = [" + h + ", " + w + "] is negative");
        }
        long n = (long) h * w;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size [h, w] = [" + h + ", " + w + "] has more than 2^31 - 1 pixels");
        }
        return n;
    }

    /** Runs with interior empty runs merged (the first run may stay empty); {@code raw} is valid. */
    private static Rle canonical(int h, int w, long[] raw, int m) {
        int[] out = new int[Math.max(m, 1)];
        int k = 0;
        for (int i = 0; i < m; i++) {
            if (raw[i] == 0 && i > 0 && i + 1 < m) {
                // an empty run between two runs: the run after it continues the run before it
                out[k - 1] += (int) raw[++i];
                continue;
            }
            out[k++] = (int) raw[i];
        }
        if (m == 0) {
            return new Rle(h, w, new int[0]);
        }
        // a trailing empty run carries no pixels
        if (k > 1 && out[k - 1] == 0) {
            k--;
        }
        return new Rle(h, w, Arrays.copyOf(out, k));
    }

    /**
     * Encodes pixels given in column-major order ({@code mask[x * h + y]}).
     *
     * @throws IllegalArgumentException when {@code mask.length != h * w}
     */
    public static Rle encode(int h, int w, boolean[] mask) {
        long n = pixels(h, w);
        if (mask.length != n) {
            throw new IllegalArgumentException("mask has " + mask.length + " pixels, not h * w = " + n);
        }
        long[] runs = new long[mask.length + 1];
        int m = 0;
        boolean value = false;
        long run = 0;
        for (boolean b : mask) {
            if (b != value) {
                runs[m++] = run;
                run = 0;
                value = b;
            }
            run++;
        }
        runs[m++] = run;
        return canonical(h, w, runs, m);
    }

    /** The pixels in column-major order ({@code mask[x * h + y]}). */
    public boolean[] decode() {
        boolean[] mask = new boolean[h * w];
        int at = 0;
        for (int i = 0; i < counts.length; i++) {
            if (i % 2 == 1) {
                Arrays.fill(mask, at, at + counts[i], true);
            }
            at += counts[i];
        }
        return mask;
    }

    public int height() {
        return h;
    }

    public int width() {
        return w;
    }

    /** The runs (a copy): 0s first, then alternating. */
    public int[] counts() {
        return counts.clone();
    }

    /** Number of 1 pixels. */
    public long area() {
        long a = 0;
        for (int i = 1; i < counts.length; i += 2) {
            a += counts[i];
        }
        return a;
    }

    /**
     * The tight pixel box {@code [x, y, width, height]} of the 1s, {@code [0, 0, 0, 0]} for an empty
     * mask (pycocotools' {@code toBbox}: a run that wraps into the next column spans every row).
     */
    public double[] bbox() {
        long xs = Long.MAX_VALUE;
        long xe = -1;
        long ys = Long.MAX_VALUE;
        long ye = -1;
        long at = 0;
        for (int i = 0; i < counts.length; i++) {
            if (i % 2 == 1 && counts[i] > 0) {
                long first = at;
                long last = at + counts[i] - 1;
                long x0 = first / h;
                long x1 = last / h;
                xs = Math.min(xs, x0);
                xe = Math.max(xe, x1);
                if (x0 != x1) {
                    ys = 0;
                    ye = h - 1;
                } else {
                    ys = Math.min(ys, first % h);
                    ye = Math.max(ye, last % h);
                }
            }
            at += counts[i];
        }
        if (xe < 0) {
            return new double[]{0, 0, 0, 0};
        }
        return new double[]{xs, ys, xe - xs + 1, ye - ys + 1};
    }

    /**
     * COCO's compressed {@code counts} string (pycocotools' {@code rleToString}): each run, from the
     * fourth on as the difference to the run two before it, in groups of 5 bits, low bits first,
     * each group a character {@code 48 + group}, plus {@code 0x20} when more groups follow; the last
     * group's bit {@code 0x10} is the sign.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(counts.length * 2);
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                int c = (int) (x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /**
     * Decodes a compressed {@code counts} string of an {@code h x w} mask (the inverse of
     * {@link #toString()}, pycocotools' {@code rleFrString}).
     *
     * @throws IllegalArgumentException for a character outside {@code '0'..'o'}, a string that ends
     *                                  inside a number, a negative run, or runs that do not sum to {@code h * w}
     */
    public static Rle fromString(String s, int h, int w) {
        long n = pixels(h, w);
        long[] runs = new long[s.length()];
        int m = 0;
        int p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p == s.length()) {
                    throw new IllegalArgumentException("the counts string ends inside a number (its last character has the continuation bit 0x20)");
                }
                char ch = s.charAt(p);
                if (ch < 48 || ch > 111) {
                    throw new IllegalArgumentException("the counts string has '" + ch + "' at " + p + "; characters must be '0'..'o'");
                }
                if (k > 7) {
                    throw new IllegalArgumentException("the counts string has a number longer than 8 characters at " + p);
                }
                int c = ch - 48;
                x |= (long) (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
            }
            if (m > 2) {
                x += runs[m - 2];
            }
            if (x < 0 || x > n) {
                throw new IllegalArgumentException("run " + m + " of the counts string is " + x + ", outside 0..h * w = " + n);
            }
            runs[m++] = x;
        }
        return of(h, w, Arrays.copyOf(runs, m));
    }

    /**
     * Rasterises a polygon {@code [x1, y1, x2, y2, ...]} (pixel coordinates, closed implicitly) into
     * an {@code h x w} mask exactly as pycocotools' {@code rleFrPoly}: vertices scaled by 5 and
     * rounded ({@code (int) (5 * v + 0.5)}, truncating), the edges walked point by point along their
     * longer axis, and for each pixel column x crossed by an edge (where
     * {@code (u + 0.5) / 5 - 0.5} is the integer x) a boundary at row
     * {@code ceil((v + 0.5) / 5 - 0.5)} clamped to {@code [0, h]}; the mask toggles at every
     * boundary down each column. Points outside the image are clipped; a polygon of fewer than 2
     * points is empty. For an integer rectangle this is exactly its pixels; in general a pixel is in
     * when its centre is (up to the rounding).
     *
     * @throws IllegalArgumentException for an odd number of coordinates or a non-finite one
     */
    public static Rle fromPolygon(double[] xy, int h, int w) {
        long n = pixels(h, w);
        if (xy.length % 2 != 0) {
            throw new IllegalArgumentException("a polygon needs x, y pairs; it has " + xy.length + " numbers");
        }
        int k = xy.length / 2;
        int[] vx = new int[k + 1];
        int[] vy = new int[k + 1];
        for (int j = 0; j < k; j++) {
            if (!Double.isFinite(xy[2 * j]) || !Double.isFinite(xy[2 * j + 1])) {
                throw new IllegalArgumentException("polygon point " + j + " is not finite: (" + xy[2 * j] + ", " + xy[2 * j + 1] + ")");
            }
            vx[j] = (int) (SCALE * xy[2 * j] + .5);
            vy[j] = (int) (SCALE * xy[2 * j + 1] + .5);
        }
        if (k == 0) {
            return of(h, w, new long[]{n});
        }
        vx[k] = vx[0];
        vy[k] = vy[0];
        // dense boundary points in the upsampled grid
        long total = 0;
        for (int j = 0; j < k; j++) {
            total += Math.max(Math.abs(vx[j] - vx[j + 1]), Math.abs(vy[j] - vy[j + 1])) + 1;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("polygon is too large to rasterise (" + total + " boundary points)");
        }
        int[] u = new int[(int) total];
        int[] v = new int[(int) total];
        int m = 0;
        for (int j = 0; j < k; j++) {
            int xs = vx[j];
            int xe = vx[j + 1];
            int ys = vy[j];
            int ye = vy[j + 1];
            int dx = Math.abs(xe - xs);
            int dy = Math.abs(ys - ye);
            boolean alongX = dx >= dy;
            boolean flip = (alongX && xs > xe) || (!alongX && ys > ye);
            if (flip) {
                int t = xs;
                xs = xe;
                xe = t;
                t = ys;
                ys = ye;
                ye = t;
            }
            if (alongX) {
                // dx == 0 only for a repeated vertex: its one point never forms a boundary (its
                // neighbours share its column), so the slope's value there does not matter
                double slope = dx == 0 ? 0 : (double) (ye - ys) / dx;
                for (int d = 0; d <= dx; d++) {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs;
                    v[m] = (int) (ys + slope * t + .5);
                    m++;
                }
            } else {
                double slope = (double) (xe - xs) / dy;
                for (int d = 0; d <= dy; d++) {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys;
                    u[m] = (int) (xs + slope * t + .5);
                    m++;
                }
            }
        }
        // where the boundary crosses a pixel column's centre, downsampled
        long[] toggles = new long[m + 1];
        int nt = 0;
        for (int j = 1; j < m; j++) {
            if (u[j] == u[j - 1]) {
                continue;
            }
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / SCALE - .5;
            if (Math.floor(xd) != xd || xd < 0 || xd > w - 1) {
                continue;
            }
            double yd = Math.min(v[j], v[j - 1]);
            yd = (yd + .5) / SCALE - .5;
            if (yd < 0) {
                yd = 0;
            } else if (yd > h) {
                yd = h;
            }
            yd = Math.ceil(yd);
            toggles[nt++] = (long) xd * h + (long) yd;
        }
        toggles[nt++] = n;
        Arrays.sort(toggles, 0, nt);
        long[] runs = new long[nt];
        long prev = 0;
        for (int j = 0; j < nt; j++) {
            runs[j] = toggles[j] - prev;
            prev = toggles[j];
        }
        // toggles at the same place: an empty run, the run after it joins the run before it
        long[] merged = new long[nt];
        int r = 0;
        merged[r++] = runs[0];
        for (int j = 1; j < nt; ) {
            if (runs[j] > 0) {
                merged[r++] = runs[j++];
            } else {
                j++;
                if (j < nt) {
                    merged[r - 1] += runs[j++];
                }
            }
        }
        return of(h, w, Arrays.copyOf(merged, r));
    }

    /**
     * The box {@code [x, y, bw, bh]} as pycocotools' {@code frBbox}: the polygon
     * {@code (x, y), (x, y + bh), (x + bw, y + bh), (x + bw, y)} through {@link #fromPolygon}.
     */
    public static Rle fromBox(double x, double y, double bw, double bh, int h, int w) {
        double xe = x + bw;
        double ye = y + bh;
        return fromPolygon(new double[]{x, y, x, ye, xe, ye, xe, y}, h, w);
    }

    /**
     * The union of masks of one size (pycocotools' {@code merge}, as for an object of several polygons).
     *
     * @throws IllegalArgumentException when the list is empty or the sizes differ
     */
    public static Rle union(List<Rle> masks) {
        if (masks.isEmpty()) {
            throw new IllegalArgumentException("no masks to merge");
        }
        Rle acc = masks.get(0);
        for (int i = 1; i < masks.size(); i++) {
            Rle b = masks.get(i);
            if (b.h != acc.h || b.w != acc.w) {
                throw new IllegalArgumentException("cannot merge masks of sizes [" + acc.h + ", " + acc.w + "] and [" + b.h + ", " + b.w + "]");
            }
            acc = combine(acc, b, false);
        }
        return acc;
    }

    /** Union ({@code intersect == false}) or intersection of two masks of the same size, pixel-exact. */
    private static Rle combine(Rle a, Rle b, boolean intersect) {
        long[] out = new long[a.counts.length + b.counts.length + 1];
        int m = 0;
        RunCursor ca = new RunCursor(a);
        RunCursor cb = new RunCursor(b);
        boolean value = false;
        long run = 0;
        while (!ca.done() || !cb.done()) {
            long step = Math.min(ca.left, cb.left);
            boolean v = intersect ? ca.value && cb.value : ca.value || cb.value;
            if (v != value) {
                out[m++] = run;
                run = 0;
                value = v;
            }
            run += step;
            ca.advance(step);
            cb.advance(step);
        }
        out[m++] = run;
        return canonical(a.h, a.w, out, m);
    }

    /**
     * Intersection over union of a detection and a ground-truth mask of the same size, as
     * pycocotools' {@code rleIou}: {@code |dt ∩ gt| / |dt ∪ gt|}, and for a crowd ground truth
     * {@code |dt ∩ gt| / |dt|} (the detection may cover part of the crowd region); 0 when they do not
     * intersect.
     *
     * @throws IllegalArgumentException when the sizes differ
     */
    public static double iou(Rle dt, Rle gt, boolean gtCrowd) {
        if (dt.h != gt.h || dt.w != gt.w) {
            throw new IllegalArgumentException("masks of sizes [" + dt.h + ", " + dt.w + "] and [" + gt.h + ", " + gt.w + "] cannot be compared");
        }
        RunCursor ca = new RunCursor(dt);
        RunCursor cb = new RunCursor(gt);
        long inter = 0;
        long union = 0;
        while (!ca.done() || !cb.done()) {
            long step = Math.min(ca.left, cb.left);
            if (ca.value || cb.value) {
                union += step;
                if (ca.value && cb.value) {
                    inter += step;
                }
            }
            ca.advance(step);
            cb.advance(step);
        }
        if (inter == 0) {
            return 0;
        }
        return (double) inter / (double) (gtCrowd ? dt.area() : union);
    }

    /** Walks the runs of a mask: the value at the current pixel and how many pixels it keeps it. */
    private static final class RunCursor {
        private final int[] counts;
        private int next;
        long left;
        boolean value;

        RunCursor(Rle r) {
            this.counts = r.counts;
            this.value = true;
            this.next = 0;
            this.left = 0;
            load();
        }

        /** Moves to the next non-empty run (or the end), toggling the value per run passed. */
        private void load() {
            while (left == 0 && next < counts.length) {
                left = counts[next++];
                value = !value;
            }
        }

        boolean done() {
            return left == 0;
        }

        void advance(long step) {
            left -= step;
            load();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rle r && r.h == h && r.w == w && Arrays.equals(r.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * h + w) + Arrays.hashCode(counts);
    }
}
