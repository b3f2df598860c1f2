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
    },
    SQUARE {
        @Override
        public boolean inside(double u, double v) {
            return Math.abs(u) <= 0.7 && Math.abs(v) <= 0.7;
        }
    },
    TRIANGLE {
        private final double[] poly = regular(3, 1, 1, -Math.PI / 2);

        @Override
        public boolean inside(double u, double v) {
            return insidePolygon(poly, u, v);
        }
    },
    STAR {
        private final double[] poly = regular(10, 1, 0.42, -Math.PI / 2);

        @Override
        public boolean inside(double u, double v) {
            return insidePolygon(poly, u, v);
        }
    },
    RING {
        @Override
        public boolean inside(double u, double v) {
            double r2 = u * u + v * v;
            return r2 <= 1 && r2 >= 0.3;
        }
    },
    CROSS {
        @Override
        public boolean inside(double u, double v) {
            double a = Math.abs(u);
            double b = Math.abs(v);
            return (a <= 0.3 && b <= 0.92) || (a <= 0.92 && b <= 0.3);
        }
    },
    ELLIPSE {
        @Override
        public boolean inside(double u, double v) {
            return u * u + (v * v) / (0.5 * 0.5) <= 1;
        }
    },
    HEXAGON {
        private final double[] poly = regular(6, 1, 1, 0);

        @Override
        public boolean inside(double u, double v) {
            return insidePolygon(poly, u, v);
        }
    };

    /** Whether local point {@code (u, v)} (object radius = 1) belongs to the shape. */
    public abstract boolean inside(double u, double v);

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
