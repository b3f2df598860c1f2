package org.aligndet.trainer.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.assign.Assignment;
import org.aligndet.trainer.assign.FcosAssigner;
import org.aligndet.trainer.assign.FcosTargets;
import org.aligndet.trainer.assign.MaxIoUAssigner;
import org.aligndet.trainer.augment.BoxList;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.sample.PositiveFirstSampler;
import org.aligndet.trainer.sample.Sample;
import org.aligndet.trainer.spec.Family;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * The detector's own assignment of its priors to the proposals of a view (proposals play the ground
 * truth, each carrying its instance id), then positive-first sampling: AlignDet's box targets.
 *
 * <ul>
 *   <li>RetinaNet: max-IoU (positive >= 0.5, negative < 0.4, low-quality matches as mmdetection);
 *       regression targets are the encoded deltas.
 *   <li>FCOS: points inside the (centre-sampled) box within the level's scale range; regression
 *       targets are the l, t, r, b distances.
 * </ul>
 */
public final class TargetBuilder {
    private final Priors priors;
    private final MaxIoUAssigner maxIou;
    private final FcosAssigner fcos;
    private final DeltaXYWHCoder coder;
    private final PositiveFirstSampler sampler;

    public TargetBuilder(ModelSpec spec, int samplesPerImage) {
        this.priors = new Priors(spec);
        this.sampler = new PositiveFirstSampler(samplesPerImage, 1.0);
        if (spec.family() == Family.RETINANET) {
            this.maxIou = MaxIoUAssigner.retinaNet();
            var c = spec.section("head").path("bbox_coder");
            this.coder = new DeltaXYWHCoder(floats(c.path("target_means")), floats(c.path("target_stds")));
            this.fcos = null;
        } else {
            var h = spec.section("head");
            int[] strides = spec.strides().stream().mapToInt(Integer::intValue).toArray();
            float[][] ranges = new float[strides.length][2];
            for (int l = 0; l < strides.length; l++) {
                ranges[l][0] = (float) h.path("regress_ranges").get(l).get(0).asDouble();
                ranges[l][1] = Math.min((float) h.path("regress_ranges").get(l).get(1).asDouble(), FcosAssigner.INF);
            }
            this.fcos = new FcosAssigner(strides, ranges, h.path("center_sampling").asBoolean(true),
                    (float) h.path("center_sample_radius").asDouble(1.5), h.path("norm_on_bbox").asBoolean(true));
            this.maxIou = null;
            this.coder = null;
        }
    }

    private static float[] floats(com.fasterxml.jackson.databind.JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) a.get(i).asDouble();
        }
        return v;
    }

    public Priors priors() {
        return priors;
    }

    /**
     * Targets for one view of a batch.
     *
     * @param boxes per image, the view's proposals (xyxy in the view's pixels, ids = proposal ids)
     */
    public ViewTargets build(PriorLayout layout, List<BoxList> boxes, SplittableRandom rng) {
        List<Integer> posImages = new ArrayList<>();
        List<Integer> posPriors = new ArrayList<>();
        List<Long> posIds = new ArrayList<>();
        List<Integer> negImages = new ArrayList<>();
        List<Integer> negPriors = new ArrayList<>();
        List<float[]> regression = new ArrayList<>();
        float[] anchors = priors.anchorBased() ? priors.concatenated(layout) : null;
        for (int b = 0; b < boxes.size(); b++) {
            BoxList gt = boxes.get(b);
            Assignment a;
            float[] fcosTargets = null;
            if (anchors != null) {
                a = gt.size() == 0 ? Assignment.allBackground(layout.priorsPerImage()) : maxIou.assign(anchors, gt.xyxy());
            } else {
                FcosTargets t = fcos.assign(priors.perLevel(layout), gt.xyxy());
                a = new Assignment(t.gtIndex(), new float[t.gtIndex().length]);
                fcosTargets = t.bboxTargets();
            }
            Sample s = sampler.sample(a, rng);
            for (int p : s.positives()) {
                int g = a.gtIndex()[p];
                posImages.add(b);
                posPriors.add(p);
                posIds.add(ViewTargets.instanceId(b, gt.ids()[g]));
                if (anchors != null) {
                    float[] prior = {anchors[4 * p], anchors[4 * p + 1], anchors[4 * p + 2], anchors[4 * p + 3]};
                    float[] box = {gt.xyxy()[4 * g], gt.xyxy()[4 * g + 1], gt.xyxy()[4 * g + 2], gt.xyxy()[4 * g + 3]};
                    regression.add(coder.encode(prior, box));
                } else {
                    regression.add(new float[] {fcosTargets[4 * p], fcosTargets[4 * p + 1], fcosTargets[4 * p + 2], fcosTargets[4 * p + 3]});
                }
            }
            for (int p : s.negatives()) {
                negImages.add(b);
                negPriors.add(p);
            }
        }
        int np = posImages.size();
        int n = np + negImages.size();
        int[] images = new int[n];
        int[] pri = new int[n];
        long[] ids = new long[n];
        float[] reg = new float[np * 4];
        for (int i = 0; i < n; i++) {
            boolean pos = i < np;
            images[i] = pos ? posImages.get(i) : negImages.get(i - np);
            pri[i] = pos ? posPriors.get(i) : negPriors.get(i - np);
            ids[i] = pos ? posIds.get(i) : ViewTargets.BACKGROUND;
            if (pos) {
                System.arraycopy(regression.get(i), 0, reg, 4 * i, 4);
            }
        }
        return new ViewTargets(images, pri, ids, np, reg);
    }
}
