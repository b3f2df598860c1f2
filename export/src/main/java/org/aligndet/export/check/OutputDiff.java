package org.aligndet.export.check;

/**
 * How far one raw head output of one level differs between the runtimes, over every image checked.
 *
 * @param kind       {@code cls_score}, {@code bbox_pred} or {@code centerness}
 * @param level      pyramid level, 0 the finest
 * @param elements   elements compared (summed over images)
 * @param maxAbs     largest {@code |a - b|}
 * @param maxRel     largest {@code |a - b| / max(|a|, |b|, relFloor)}
 * @param meanAbs    mean {@code |a - b|}
 * @param worstImage the image with {@code maxAbs}
 */
public record OutputDiff(String kind, int level, long elements, double maxAbs, double maxRel, double meanAbs, String worstImage) {

    /** {@code kind_level}, the ONNX template's output name. */
    public String name() {
        return kind + "_" + level;
    }

    /** Accumulates one output's differences image by image. NaN on either side counts as an infinite difference. */
    static final class Accumulator {
        private final String kind;
        private final int level;
        private final double relFloor;
        private long elements;
        private double maxAbs;
        private double maxRel;
        private double sumAbs;
        private String worst = "";

        Accumulator(String kind, int level, double relFloor) {
            this.kind = kind;
            this.level = level;
            this.relFloor = relFloor;
        }

        /** Adds one image's output from each runtime; the two must have the same length. */
        void add(float[] a, float[] b, String image) {
            if (a.length != b.length) {
                throw new IllegalStateException(kind + "_" + level + " of " + image + ": " + a.length + " elements from TorchScript, "
                        + b.length + " from ONNX Runtime");
            }
            double imgMax = 0;
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs((double) a[i] - b[i]);
                if (Double.isNaN(d)) {
                    d = Double.POSITIVE_INFINITY;
                }
                imgMax = Math.max(imgMax, d);
                sumAbs += d;
                double denom = Math.max(relFloor, Math.max(Math.abs(a[i]), Math.abs(b[i])));
                maxRel = Math.max(maxRel, d / denom);
            }
            elements += a.length;
            if (worst.isEmpty() || imgMax > maxAbs) {
                maxAbs = imgMax;
                worst = image;
            }
        }

        OutputDiff result() {
            return new OutputDiff(kind, level, elements, maxAbs, maxRel, elements == 0 ? 0 : sumAbs / elements, worst);
        }
    }
}
