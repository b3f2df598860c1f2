package org.aligndet.trainer.proposals;

import java.util.ArrayList;
import java.util.List;

/**
 * AlignDet's proposal filter, in the original pixel frame of a {@code width x height} image:
 * keep {@code w >= minSize} and {@code h >= minSize}, aspect {@code w / h} in
 * {@code [1 / maxAspect, maxAspect]}, {@code sqrt(w h / (width height)) <= maxScale}; then
 * {@link Nms} at {@code nmsIou} in the given rank order; then the first {@code topK}
 * ({@code 0}: all).
 */
public record ProposalFilter(double minSize, double maxAspect, double maxScale, double nmsIou, int topK) {
    public ProposalFilter {
        if (minSize < 0 || maxAspect < 1 || maxScale <= 0 || nmsIou <= 0 || nmsIou > 1 || topK < 0) {
            throw new IllegalArgumentException("proposal filter: minSize >= 0, maxAspect >= 1, maxScale > 0, nmsIou in (0, 1], topK >= 0; got " + this);
        }
    }

    /** w, h >= 32; aspect in [1/3, 3]; sqrt(area ratio) <= 0.8; NMS 0.5; no top-K. */
    public static ProposalFilter alignDet() {
        return new ProposalFilter(32, 3, 0.8, 0.5, 0);
    }

    public ProposalFilter withTopK(int k) {
        return new ProposalFilter(minSize, maxAspect, maxScale, nmsIou, k);
    }

    public ProposalFilter withNms(double iou) {
        return new ProposalFilter(minSize, maxAspect, maxScale, iou, topK);
    }

    public ProposalFilter withMinSize(double s) {
        return new ProposalFilter(s, maxAspect, maxScale, nmsIou, topK);
    }

    /** The size, aspect and scale tests for one box {@code {x1, y1, x2, y2}}. */
    public boolean passes(double[] b, int width, int height) {
        double w = b[2] - b[0];
        double h = b[3] - b[1];
        if (w < minSize || h < minSize || w <= 0 || h <= 0) {
            return false;
        }
        double aspect = w / h;
        if (aspect < 1 / maxAspect || aspect > maxAspect) {
            return false;
        }
        return Math.sqrt(w * h / ((double) width * height)) <= maxScale;
    }

    /** Filters {@code ranked} (best first) and numbers the survivors 0, 1, ... in that order. */
    public List<Proposal> apply(List<double[]> ranked, int width, int height) {
        List<double[]> passing = new ArrayList<>();
        for (double[] b : ranked) {
            if (passes(b, width, height)) {
                passing.add(b);
            }
        }
        List<Integer> kept = Nms.keep(passing, nmsIou);
        int n = topK > 0 ? Math.min(topK, kept.size()) : kept.size();
        List<Proposal> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] b = passing.get(kept.get(i));
            out.add(new Proposal(i, b[0], b[1], b[2], b[3]));
        }
        return out;
    }
}
