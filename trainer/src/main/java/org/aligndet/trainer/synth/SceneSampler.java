package org.aligndet.trainer.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws random multi-object scenes. Objects are placed one after the other, each on top of the
 * earlier ones; a placement that would leave an earlier object less than {@link #MIN_VISIBLE} of its
 * pixels visible is rejected and re-drawn, so every drawn object stays recognisable and annotated.
 * Everything depends only on the random stream passed in.
 */
final class SceneSampler {
    /**
     * Object size: the square root of the shape's full area, as a fraction of the image's shorter
     * side, log-uniform in {@code [MIN_SIZE, MAX_SIZE]} (measured over 500 images at side 256: 31% of objects
     * COCO small, 61% medium, 8% large). The diameter that gives it is then kept within {@code [MIN_EXTENT, MAX_EXTENT]}
     * of the shorter side, so thin shapes (star, triangle) are rarely large.
     */
    static final double MIN_SIZE = 0.06;
    static final double MAX_SIZE = 0.6;
    static final double MIN_EXTENT = 0.12;
    static final double MAX_EXTENT = 0.60;
    /**
     * Objects are drawn roughly largest first (sizes jittered by this factor before sorting), so big
     * objects sit behind and stay mostly visible while smaller ones may still be hidden.
     */
    static final double ORDER_JITTER = 0.5;
    /** Smallest visible fraction an earlier object may be left with when a later one is placed. */
    static final double MIN_VISIBLE = 0.3;
    static final int MAX_OBJECTS = 7;
    /** Chance that a scene has no object at all (COCO has such images too). */
    static final double EMPTY_PROBABILITY = 0.04;
    private static final int TRIES_PER_OBJECT = 8;
    private static final int GRAIN = 6;

    private SceneSampler() {
    }

    static Scene scene(int width, int height, SplittableRandom rng) {
        byte[] bgr = new byte[3 * width * height];
        Backgrounds.paint(bgr, width, height, rng);
        int wanted = rng.nextDouble() < EMPTY_PROBABILITY ? 0 : rng.nextInt(1, MAX_OBJECTS + 1);
        int[] owner = new int[width * height];
        Arrays.fill(owner, -1);
        List<SceneObject> objects = new ArrayList<>();
        List<Integer> visible = new ArrayList<>();
        List<Integer> full = new ArrayList<>();
        for (double size : drawingOrder(wanted, rng)) {
            ShapeClass shape = ShapeClass.values()[rng.nextInt(ShapeClass.values().length)];
            double extent = Math.max(MIN_EXTENT, Math.min(MAX_EXTENT, 2 * size / Math.sqrt(shape.fill())));
            double radius = extent * Math.min(width, height) / 2;
            for (int tries = 0; tries < TRIES_PER_OBJECT; tries++) {
                double cx = rng.nextDouble(radius, width - radius);
                double cy = rng.nextDouble(radius, height - radius);
                SceneObject o = object(shape, cx, cy, radius, rng);
                int[] pixels = pixels(o, width, height);
                if (pixels.length > 0 && keepsOthersVisible(pixels, owner, visible, full)) {
                    place(objects.size(), pixels, owner, visible);
                    objects.add(o);
                    visible.add(pixels.length);
                    full.add(pixels.length);
                    break;
                }
            }
        }
        for (int p = 0; p < owner.length; p++) {
            if (owner[p] >= 0) {
                objects.get(owner[p]).paint(p % width, p / width, bgr, 3 * p);
            }
        }
        Backgrounds.grain(bgr, rng, GRAIN);
        return new Scene(width, height, bgr, placed(objects, owner, width, visible, full), owner);
    }

    /** A single object filling most of a {@code side x side} crop, on a background of its own. */
    static byte[] crop(int side, ShapeClass shape, SplittableRandom rng) {
        byte[] bgr = new byte[3 * side * side];
        Backgrounds.paint(bgr, side, side, rng);
        double radius = rng.nextDouble(0.3, 0.45) * side;
        double slack = side / 2.0 - radius;
        double cx = side / 2.0 + rng.nextDouble(-slack, slack);
        double cy = side / 2.0 + rng.nextDouble(-slack, slack);
        SceneObject o = object(shape, cx, cy, radius, rng);
        for (int p : pixels(o, side, side)) {
            o.paint(p % side, p / side, bgr, 3 * p);
        }
        Backgrounds.grain(bgr, rng, GRAIN);
        return bgr;
    }

    /** {@code n} object sizes, log-uniform, sorted by jittered size, largest first. */
    private static double[] drawingOrder(int n, SplittableRandom rng) {
        double[][] sizeAndKey = new double[n][];
        for (int k = 0; k < n; k++) {
            double size = StrictMath.exp(rng.nextDouble(StrictMath.log(MIN_SIZE), StrictMath.log(MAX_SIZE)));
            sizeAndKey[k] = new double[] {size, size * rng.nextDouble(1 - ORDER_JITTER, 1 + ORDER_JITTER)};
        }
        Arrays.sort(sizeAndKey, (a, b) -> Double.compare(b[1], a[1]));
        return Arrays.stream(sizeAndKey).mapToDouble(e -> e[0]).toArray();
    }

    /** Gives {@code pixels} to object {@code id}, taking them from whoever owned them. */
    private static void place(int id, int[] pixels, int[] owner, List<Integer> visible) {
        for (int p : pixels) {
            if (owner[p] >= 0) {
                visible.set(owner[p], visible.get(owner[p]) - 1);
            }
            owner[p] = id;
        }
    }

    private static SceneObject object(ShapeClass shape, double cx, double cy, double radius, SplittableRandom rng) {
        Texture texture = Texture.values()[rng.nextInt(Texture.values().length)];
        double angle = rng.nextDouble(0, 2 * Math.PI);
        double hue = rng.nextDouble();
        int[] a = Palette.vivid(rng, hue);
        int[] b = Palette.vivid(rng, hue + rng.nextDouble(0.25, 0.75));
        double period = rng.nextDouble(0.25, 0.6);
        return new SceneObject(shape, texture, cx, cy, radius, StrictMath.cos(angle), StrictMath.sin(angle), period, a, b);
    }

    /** Indices {@code y * width + x} of the pixels the object covers, row-major. */
    private static int[] pixels(SceneObject o, int width, int height) {
        int x0 = Math.max(0, o.minX());
        int x1 = Math.min(width - 1, o.maxX());
        int y0 = Math.max(0, o.minY());
        int y1 = Math.min(height - 1, o.maxY());
        int[] out = new int[Math.max(0, (x1 - x0 + 1) * (y1 - y0 + 1))];
        int n = 0;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                if (o.covers(x, y)) {
                    out[n++] = y * width + x;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static boolean keepsOthersVisible(int[] pixels, int[] owner, List<Integer> visible, List<Integer> full) {
        int[] lost = new int[visible.size()];
        for (int p : pixels) {
            if (owner[p] >= 0) {
                lost[owner[p]]++;
            }
        }
        for (int i = 0; i < lost.length; i++) {
            if (visible.get(i) - lost[i] < MIN_VISIBLE * full.get(i)) {
                return false;
            }
        }
        return true;
    }

    private static List<Scene.Placed> placed(List<SceneObject> objects, int[] owner, int width,
                                             List<Integer> visible, List<Integer> full) {
        int n = objects.size();
        int[] x1 = new int[n];
        int[] y1 = new int[n];
        int[] x2 = new int[n];
        int[] y2 = new int[n];
        Arrays.fill(x1, Integer.MAX_VALUE);
        Arrays.fill(y1, Integer.MAX_VALUE);
        for (int p = 0; p < owner.length; p++) {
            int i = owner[p];
            if (i >= 0) {
                int x = p % width;
                int y = p / width;
                x1[i] = Math.min(x1[i], x);
                y1[i] = Math.min(y1[i], y);
                x2[i] = Math.max(x2[i], x + 1);
                y2[i] = Math.max(y2[i], y + 1);
            }
        }
        List<Scene.Placed> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<double[]> polygons = visible.get(i).equals(full.get(i)) ? objects.get(i).outline()
                    : visibleRectangles(owner, width, i, x1[i], y1[i], x2[i], y2[i]);
            out.add(new Scene.Placed(objects.get(i).shape(), x1[i], y1[i], x2[i], y2[i], visible.get(i), full.get(i), polygons));
        }
        return out;
    }

    /**
     * The pixels of object {@code id} inside its box as rectangle polygons along pixel edges: each
     * row's runs, a run extended downwards while the next row has a run of the same extent.
     */
    static List<double[]> visibleRectangles(int[] owner, int width, int id, int bx1, int by1, int bx2, int by2) {
        List<double[]> out = new ArrayList<>();
        boolean[] used = new boolean[(bx2 - bx1) * (by2 - by1)];
        int bw = bx2 - bx1;
        for (int y = by1; y < by2; y++) {
            int x = bx1;
            while (x < bx2) {
                if (owner[y * width + x] != id || used[(y - by1) * bw + (x - bx1)]) {
                    x++;
                    continue;
                }
                int start = x;
                while (x < bx2 && owner[y * width + x] == id) {
                    x++;
                }
                int end = x;
                int bottom = y + 1;
                while (bottom < by2 && sameRun(owner, width, id, bottom, start, end, bx1, bx2)) {
                    bottom++;
                }
                for (int yy = y; yy < bottom; yy++) {
                    for (int xx = start; xx < end; xx++) {
                        used[(yy - by1) * bw + (xx - bx1)] = true;
                    }
                }
                out.add(new double[] {start, y, start, bottom, end, bottom, end, y});
            }
        }
        return out;
    }

    /** Whether row {@code y} has a run of object {@code id} covering exactly {@code [start, end)}. */
    private static boolean sameRun(int[] owner, int width, int id, int y, int start, int end, int bx1, int bx2) {
        if ((start > bx1 && owner[y * width + start - 1] == id) || (end < bx2 && owner[y * width + end] == id)) {
            return false;
        }
        for (int x = start; x < end; x++) {
            if (owner[y * width + x] != id) {
                return false;
            }
        }
        return true;
    }
}
