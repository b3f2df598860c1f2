package org.aligndet.trainer.synth;

/**
 * One object to draw: a {@link ShapeClass} with a {@link Texture}, centred at {@code (cx, cy)} in
 * image pixels, of radius {@code radius} pixels (the shape fits in that disk), turned by an angle
 * given as its cosine and sine. Colours are BGR, 0-255. Pixel {@code (x, y)} belongs to the object
 * when its centre {@code (x + 0.5, y + 0.5)} is inside the shape.
 */
record SceneObject(ShapeClass shape, Texture texture, double cx, double cy, double radius, double cos, double sin,
                   double period, int[] colourA, int[] colourB) {

    boolean covers(int x, int y) {
        double dx = (x + 0.5 - cx) / radius;
        double dy = (y + 0.5 - cy) / radius;
        return shape.inside(cos * dx + sin * dy, -sin * dx + cos * dy);
    }

    /** Writes the object's BGR colour at pixel {@code (x, y)} into {@code bgr[at..at+2]}. */
    void paint(int x, int y, byte[] bgr, int at) {
        double dx = (x + 0.5 - cx) / radius;
        double dy = (y + 0.5 - cy) / radius;
        double t = texture.mix(cos * dx + sin * dy, -sin * dx + cos * dy, period);
        for (int c = 0; c < 3; c++) {
            bgr[at + c] = (byte) Math.round(colourA[c] + t * (colourB[c] - colourA[c]));
        }
    }

    /**
     * The shape's outline ({@link ShapeClass#outline}) in image pixels, continuous coordinates in
     * which pixel {@code (x, y)} spans {@code [x, x + 1) x [y, y + 1)} (COCO's), rounded to 1/100.
     */
    java.util.List<double[]> outline() {
        java.util.List<double[]> out = new java.util.ArrayList<>();
        for (double[] uv : shape.outline()) {
            double[] xy = new double[uv.length];
            for (int i = 0; i < uv.length; i += 2) {
                double u = uv[i];
                double v = uv[i + 1];
                xy[i] = Math.round((cx + radius * (cos * u - sin * v)) * 100) / 100.0;
                xy[i + 1] = Math.round((cy + radius * (sin * u + cos * v)) * 100) / 100.0;
            }
            out.add(xy);
        }
        return out;
    }

    /** Leftmost pixel column the object may cover (clamped to the image later). */
    int minX() {
        return (int) Math.floor(cx - radius);
    }

    int maxX() {
        return (int) Math.ceil(cx + radius);
    }

    int minY() {
        return (int) Math.floor(cy - radius);
    }

    int maxY() {
        return (int) Math.ceil(cy + radius);
    }
}
