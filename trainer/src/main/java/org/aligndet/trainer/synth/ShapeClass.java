package org.aligndet.trainer.synth;

import java.util.List;
import java.util.Locale;

/**
 * The object classes of the synthetic benchmark, one per shape. Each shape lives in local
 * coordinates {@code (u, v)} scaled so that it fits in the unit disk (the object's radius maps to 1)
 * and is centred on the origin; {@link #inside} is the membership test for a point.
 *
 * <p>The label of a class is its ordinal; its COCO category id is {@code ordinal + 1}.
 */
public enum ShapeClass {
    CIRCLE {
        @Override
        public boolean inside(double u, double v) {
            return u * u + v * v <= 1;
        }

        @Override
        public List<double[]> outline() {
            return List.of(ellipse(1, 1, false));
        }
    },
    SQUARE {
        @Override
        public boolean inside(double u, double v) {
            return Math.abs(u) <= 0.7 && Math.abs(v) <= 0.7;
        }

        @Override
        public List<double[]> outline() {
            return List.of(new double[] {-0.7, -0.7, 0.7, -0.7, 0.7, 0.7, -0.7, 0.7});
        }
    },
    TRIANGLE {
        private final double[] poly = regular(3, 1, 1, -Math.PI / 2);

        @Override
        public boolean inside(double u, double v) {
            return insidePolygon(poly, u, v);
        }

        @Override
        public List<double[]> outline() {
            return List.of(poly.clone());
        }
    },
    STAR {
        private final double[] poly = regular(10, 1, 0.42, -Math.PI / 2);

        @Override
        public boolean inside(double u, double v) {
            return insidePolygon(poly, u, v);
        }

        @Override
        public List<double[]> outline() {
            return List.of(poly.clone());
        }
    },
    RING {
        @Override
        public boolean inside(double u, double v) {
            double r2 = u * u + v * v;
            return r2 <= 1 && r2 >= 0.3;
        }

        /** One "keyhole" polygon: the outer circle, a cut in to the inner one, the inner circle backwards, the cut out. */
        @Override
        public List<double[]> outline() {
            double[] outer = ellipse(1, 1, true);
            double r = Math.sqrt(0.3);
            double[] inner = ellipse(r, r, true);
            double[] xy = new double[outer.length + inner.length];
            System.arraycopy(outer, 0, xy, 0, outer.length);
            int n = inner.length / 2;
            for (int i = 0; i < n; i++) {
                xy[outer.length + 2 * i] = inner[2 * (n - 1 - i)];
                xy[outer.length + 2 * i + 1] = inner[2 * (n - 1 - i) + 1];
            }
            return List.of(xy);
        }
    },
    CROSS {
        @Override
        public boolean inside(double u, double v) {
            double a = Math.abs(u);
            double b = Math.abs(v);
            return (a <= 0.3 && b <= 0.92) || (a <= 0.92 && b <= 0.3);
        }

        @Override
        public List<double[]> outline() {
            double a = 0.3;
            double b = 0.92;
            return List.of(new double[] {-a, -b, a, -b, a, -a, b, -a, b, a, a, a, a, b, -a, b, -a, a, -b, a, -b, -a, -a, -a});
        }
    },
    ELLIPSE {
        @Override
        public boolean inside(double u, double v) {
            return u * u + (v * v) / (0.5 * 0.5) <= 1;
        }

        @Override
        public List<double[]> outline() {
            return List.of(ellipse(1, 0.5, false));
        }
    },
    HEXAGON {
        private final double[] poly = regular(6, 1, 1, 0);

        @Override
        public boolean inside(double u, double v) {
            return insidePolygon(poly, u, v);
        }

        @Override
        public List<double[]> outline() {
            return List.of(poly.clone());
        }
    };

    /** Vertices of the polygons that approximate a curved outline: fine enough for a mask IoU near 1. */
    public static final int CURVE_VERTICES = 64;

    /** Whether local point {@code (u, v)} (object radius = 1) belongs to the shape. */
    public abstract boolean inside(double u, double v);

    /**
     * The shape's outline as COCO polygons in local coordinates, {@code [u1, v1, u2, v2, ...]} each:
     * the exact vertices for polygonal shapes; for curves ({@link #CIRCLE}, {@link #ELLIPSE},
     * {@link #RING}) a regular {@value #CURVE_VERTICES}-gon scaled to the curve's area. The ring, which
     * COCO's union of polygons cannot hold as two, is one keyhole polygon (outer circle, a cut, the
     * inner circle backwards, the cut back), which even-odd rasterisation (pycocotools) fills as the ring.
     */
    public abstract List<double[]> outline();

    /**
     * An ellipse with semi-axes {@code a} (u) and {@code b} (v) as a {@value #CURVE_VERTICES}-gon of
     * the same area (radii raised by {@code sqrt(2 pi / (n sin(2 pi / n)))}), counter-clockwise from
     * angle 0; {@code closed} repeats the first vertex at the end.
     */
    private static double[] ellipse(double a, double b, boolean closed) {
        int n = CURVE_VERTICES;
        double k = Math.sqrt(2 * Math.PI / (n * StrictMath.sin(2 * Math.PI / n)));
        double[] xy = new double[2 * (closed ? n + 1 : n)];
        for (int i = 0; i < xy.length / 2; i++) {
            double t = 2 * Math.PI * (i % n) / n;
            xy[2 * i] = k * a * StrictMath.cos(t);
            xy[2 * i + 1] = k * b * StrictMath.sin(t);
        }
        return xy;
    }

    /** The shape's area in units of radius squared (pi for the circle), measured on a fine grid. */
    public double fill() {
        return Fill.OF[ordinal()];
    }

    /** The class name written to COCO categories and VOC {@code <name>}: the lower-case constant name. */
    public String className() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** All class names, in label order. */
    public static List<String> classNames() {
        return java.util.Arrays.stream(values()).map(ShapeClass::className).toList();
    }

    private static final class Fill {
        static final double[] OF = new double[values().length];
        private static final int GRID = 512;

        static {
            for (ShapeClass c : values()) {
                int in = 0;
                for (int y = 0; y < GRID; y++) {
                    for (int x = 0; x < GRID; x++) {
                        in += c.inside((x + 0.5) * 2 / GRID - 1, (y + 0.5) * 2 / GRID - 1) ? 1 : 0;
                    }
                }
                OF[c.ordinal()] = 4.0 * in / (GRID * GRID);
            }
        }
    }

    /** A polygon of {@code n} vertices alternating between radii {@code r0} and {@code r1}, as x,y pairs. */
    private static double[] regular(int n, double r0, double r1, double start) {
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double a = start + 2 * Math.PI * i / n;
            double r = i % 2 == 0 ? r0 : r1;
            xy[2 * i] = r * StrictMath.cos(a);
            xy[2 * i + 1] = r * StrictMath.sin(a);
        }
        return xy;
    }

    /** Even-odd rule. */
    private static boolean insidePolygon(double[] xy, double u, double v) {
        boolean in = false;
        int n = xy.length / 2;
        for (int i = 0, j = n - 1; i < n; j = i++) {
            double xi = xy[2 * i];
            double yi = xy[2 * i + 1];
            double xj = xy[2 * j];
            double yj = xy[2 * j + 1];
            if ((yi > v) != (yj > v) && u < (xj - xi) * (v - yi) / (yj - yi) + xi) {
                in = !in;
            }
        }
        return in;
    }
}
