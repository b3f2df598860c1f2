package org.aligndet.trainer.synth;

import java.util.SplittableRandom;

/** Colour helpers: HSV to BGR, and the colour ranges used for objects and backgrounds. */
final class Palette {
    private Palette() {
    }

    /** BGR 0-255 from hue (turns, any real), saturation and value in {@code [0, 1]}. */
    static int[] hsv(double hue, double s, double v) {
        double h = (hue - Math.floor(hue)) * 6;
        int sector = (int) Math.floor(h) % 6;
        double f = h - Math.floor(h);
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        double r;
        double g;
        double b;
        switch (sector) {
            case 0 -> { r = v; g = t; b = p; }
            case 1 -> { r = q; g = v; b = p; }
            case 2 -> { r = p; g = v; b = t; }
            case 3 -> { r = p; g = q; b = v; }
            case 4 -> { r = t; g = p; b = v; }
            default -> { r = v; g = p; b = q; }
        }
        return new int[] {(int) Math.round(b * 255), (int) Math.round(g * 255), (int) Math.round(r * 255)};
    }

    /** A saturated, fairly bright colour of hue {@code hue}: what objects are painted with. */
    static int[] vivid(SplittableRandom rng, double hue) {
        return hsv(hue, rng.nextDouble(0.55, 1.0), rng.nextDouble(0.55, 1.0));
    }

    /** A muted colour: what backgrounds and clutter are painted with. */
    static int[] muted(SplittableRandom rng) {
        return hsv(rng.nextDouble(), rng.nextDouble(0.0, 0.35), rng.nextDouble(0.25, 0.85));
    }

    static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
