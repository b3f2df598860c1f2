package org.aligndet.trainer.synth;

/**
 * How an object's two colours are laid over its surface, in the object's local coordinates
 * ({@code u, v}, radius = 1) so that the pattern turns and scales with the object. {@link #mix}
 * gives the weight of the second colour, in {@code [0, 1]}.
 */
public enum Texture {
    SOLID {
        @Override
        double mix(double u, double v, double period) {
            return 0;
        }
    },
    STRIPES {
        @Override
        double mix(double u, double v, double period) {
            return Math.floorMod((long) Math.floor(u / period), 2);
        }
    },
    CHECKER {
        @Override
        double mix(double u, double v, double period) {
            return Math.floorMod((long) Math.floor(u / period) + (long) Math.floor(v / period), 2);
        }
    },
    DOTS {
        @Override
        double mix(double u, double v, double period) {
            double du = u / period - Math.floor(u / period) - 0.5;
            double dv = v / period - Math.floor(v / period) - 0.5;
            return du * du + dv * dv <= 0.3 * 0.3 ? 1 : 0;
        }
    },
    GRADIENT {
        @Override
        double mix(double u, double v, double period) {
            return Math.min(1, Math.max(0, (u + v * 0.5 + 1) / 2));
        }
    };

    /** Weight of the second colour at local point {@code (u, v)} for a pattern period in local units. */
    abstract double mix(double u, double v, double period);
}
