package org.aligndet.trainer.synth;

import java.util.SplittableRandom;

/**
 * Textured, cluttered backgrounds: a two-colour gradient, value noise at two scales, thin random
 * lines and smooth irregular blobs. None of it resembles an object class (blobs are smooth wobbly
 * disks, lines are thin), so nothing here is annotated. Deterministic for the random stream.
 */
final class Backgrounds {
    /** Blob outline: {@code r(theta) = R (1 + WOBBLE3 sin(3 theta + p3) + WOBBLE5 sin(5 theta + p5))}. */
    private static final double WOBBLE3 = 0.25;
    private static final double WOBBLE5 = 0.12;
    private Backgrounds() {
    }

    /** Paints a background into {@code bgr} ({@code h x w x 3}, BGR). */
    static void paint(byte[] bgr, int w, int h, SplittableRandom rng) {
        gradient(bgr, w, h, rng);
        noise(bgr, w, h, rng, rng.nextInt(24, 64), rng.nextDouble(10, 35));
        noise(bgr, w, h, rng, rng.nextInt(4, 12), rng.nextDouble(4, 14));
        int blobs = rng.nextInt(1, 6);
        for (int i = 0; i < blobs; i++) {
            blob(bgr, w, h, rng);
        }
        int lines = rng.nextInt(2, 11);
        for (int i = 0; i < lines; i++) {
            line(bgr, w, h, rng);
        }
    }

    /** Adds uniform per-channel noise in {@code [-amplitude, amplitude]} to every pixel. */
    static void grain(byte[] bgr, SplittableRandom rng, int amplitude) {
        for (int i = 0; i < bgr.length; i++) {
            bgr[i] = (byte) Palette.clamp((bgr[i] & 0xff) + rng.nextInt(-amplitude, amplitude + 1));
        }
    }

    private static void gradient(byte[] bgr, int w, int h, SplittableRandom rng) {
        int[] a = Palette.muted(rng);
        int[] b = Palette.muted(rng);
        double angle = rng.nextDouble(0, 2 * Math.PI);
        double gx = StrictMath.cos(angle);
        double gy = StrictMath.sin(angle);
        double span = Math.abs(gx) * w + Math.abs(gy) * h;
        double offset = Math.min(0, gx * w) + Math.min(0, gy * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double t = (gx * x + gy * y - offset) / span;
                int at = 3 * (y * w + x);
                for (int c = 0; c < 3; c++) {
                    bgr[at + c] = (byte) Palette.clamp(a[c] + t * (b[c] - a[c]));
                }
            }
        }
    }

    /** Smoothly interpolated random grid values with cell size {@code cell}, added to all channels. */
    private static void noise(byte[] bgr, int w, int h, SplittableRandom rng, int cell, double amplitude) {
        int gw = w / cell + 2;
        int gh = h / cell + 2;
        double[] grid = new double[gw * gh];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = rng.nextDouble(-1, 1);
        }
        int[] gxOf = new int[w];
        double[] fxOf = new double[w];
        for (int x = 0; x < w; x++) {
            gxOf[x] = x / cell;
            fxOf[x] = smooth((x % cell) / (double) cell);
        }
        for (int y = 0; y < h; y++) {
            int row0 = (y / cell) * gw;
            int row1 = row0 + gw;
            double fy = smooth((y % cell) / (double) cell);
            for (int x = 0; x < w; x++) {
                int gx = gxOf[x];
                double fx = fxOf[x];
                double top = grid[row0 + gx] * (1 - fx) + grid[row0 + gx + 1] * fx;
                double bottom = grid[row1 + gx] * (1 - fx) + grid[row1 + gx + 1] * fx;
                int d = (int) Math.round(amplitude * (top * (1 - fy) + bottom * fy));
                int at = 3 * (y * w + x);
                for (int c = 0; c < 3; c++) {
                    bgr[at + c] = (byte) Math.max(0, Math.min(255, (bgr[at + c] & 0xff) + d));
                }
            }
        }
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    /** A wobbly disk, blended at half opacity. */
    private static void blob(byte[] bgr, int w, int h, SplittableRandom rng) {
        double side = Math.min(w, h);
        double radius = rng.nextDouble(0.04, 0.16) * side;
        double cx = rng.nextDouble(0, w);
        double cy = rng.nextDouble(0, h);
        double p3 = rng.nextDouble(0, 2 * Math.PI);
        double p5 = rng.nextDouble(0, 2 * Math.PI);
        int[] colour = Palette.muted(rng);
        double reach = radius * (1 + WOBBLE3 + WOBBLE5);
        double outer2 = reach * reach;
        double inner = radius * (1 - WOBBLE3 - WOBBLE5);
        double inner2 = inner * inner;
        for (int y = Math.max(0, (int) (cy - reach)); y < Math.min(h, (int) (cy + reach) + 1); y++) {
            for (int x = Math.max(0, (int) (cx - reach)); x < Math.min(w, (int) (cx + reach) + 1); x++) {
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                double d2 = dx * dx + dy * dy;
                if (d2 > outer2) {
                    continue;
                }
                boolean in = d2 <= inner2;
                if (!in) {
                    double theta = StrictMath.atan2(dy, dx);
                    double r = radius * (1 + WOBBLE3 * StrictMath.sin(3 * theta + p3) + WOBBLE5 * StrictMath.sin(5 * theta + p5));
                    in = d2 <= r * r;
                }
                if (in) {
                    blend(bgr, 3 * (y * w + x), colour, 0.5);
                }
            }
        }
    }

    /** A straight segment 1 to 3 pixels thick. */
    private static void line(byte[] bgr, int w, int h, SplittableRandom rng) {
        double x0 = rng.nextDouble(0, w);
        double y0 = rng.nextDouble(0, h);
        double x1 = rng.nextDouble(0, w);
        double y1 = rng.nextDouble(0, h);
        double half = rng.nextInt(1, 4) / 2.0;
        int[] colour = Palette.hsv(rng.nextDouble(), rng.nextDouble(0, 0.5), rng.nextDouble(0.1, 0.95));
        double dx = x1 - x0;
        double dy = y1 - y0;
        double len2 = Math.max(1e-9, dx * dx + dy * dy);
        for (int y = Math.max(0, (int) (Math.min(y0, y1) - half)); y < Math.min(h, (int) (Math.max(y0, y1) + half) + 1); y++) {
            for (int x = Math.max(0, (int) (Math.min(x0, x1) - half)); x < Math.min(w, (int) (Math.max(x0, x1) + half) + 1); x++) {
                double px = x + 0.5 - x0;
                double py = y + 0.5 - y0;
                double t = Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
                double ex = px - t * dx;
                double ey = py - t * dy;
                if (ex * ex + ey * ey <= half * half) {
                    blend(bgr, 3 * (y * w + x), colour, 0.8);
                }
            }
        }
    }

    private static void blend(byte[] bgr, int at, int[] colour, double alpha) {
        for (int c = 0; c < 3; c++) {
            bgr[at + c] = (byte) Palette.clamp((1 - alpha) * (bgr[at + c] & 0xff) + alpha * colour[c]);
        }
    }
}
