package org.aligndet.trainer.pretrain;

import java.util.HashMap;
import java.util.Map;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.prior.PointGenerator;
import org.aligndet.trainer.spec.Family;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * A detector's priors for a feature layout: RetinaNet anchors ({@code [P*4]} xyxy per level) or FCOS
 * points ({@code [P*2]} per level), in input pixels, cached by level and size (batches repeat sizes).
 */
public final class Priors {
    private final AnchorGenerator anchors;
    private final PointGenerator points;
    private final Map<Long, float[]> cache = new HashMap<>();

    public Priors(ModelSpec spec) {
        int[] strides = spec.strides().stream().mapToInt(Integer::intValue).toArray();
        if (spec.family() == Family.RETINANET) {
            var a = spec.section("head").path("anchor");
            double[] ratios = new double[a.path("ratios").size()];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = a.path("ratios").get(i).asDouble();
            }
            anchors = new AnchorGenerator(a.path("octave_base_scale").asDouble(), a.path("scales_per_octave").asInt(),
                    ratios, strides, a.path("center_offset").asDouble(0.0));
            points = null;
        } else {
            anchors = null;
            points = new PointGenerator(strides);
        }
    }

    public boolean anchorBased() {
        return anchors != null;
    }

    /** Per level: anchors xyxy or points (x, y). */
    public synchronized float[] level(int level, int h, int w) {
        long key = ((long) level << 40) | ((long) h << 20) | w;
        return cache.computeIfAbsent(key, k -> anchors != null ? anchors.anchors(level, h, w) : points.points(level, h, w));
    }

    /** Every level's priors of a layout. */
    public float[][] perLevel(PriorLayout layout) {
        float[][] out = new float[layout.levels()][];
        for (int l = 0; l < out.length; l++) {
            out[l] = level(l, layout.height(l), layout.width(l));
        }
        return out;
    }

    /** All anchors of one image concatenated over levels, {@code [P*4]} (anchor-based only). */
    public float[] concatenated(PriorLayout layout) {
        float[][] lv = perLevel(layout);
        int n = 0;
        for (float[] a : lv) {
            n += a.length;
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] a : lv) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }
}
