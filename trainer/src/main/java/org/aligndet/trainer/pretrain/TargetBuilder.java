package org.aligndet.trainer.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.augment.BoxList;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.ImageTargets;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.sample.PositiveFirstSampler;
import org.aligndet.trainer.sample.Sample;

/**
 * The detector's own assignment of its priors to the proposals of a view ({@link DenseFamily#assign},
 * the rule fine-tuning uses too; proposals play the ground truth, each carrying its proposal id),
 * then positive-first sampling: AlignDet's box targets. Positives beyond the cap are subsampled;
 * when there are fewer, sampled background fills the cap and enters the contrastive loss as negatives.
 */
public final class TargetBuilder {
    private final DenseFamily family;
    private final PositiveFirstSampler sampler;

    /** @param posFraction the largest share of positives in an image's sample (AlignDet: 1, background fills what is left) */
    public TargetBuilder(DenseFamily family, int samplesPerImage, double posFraction) {
        this.family = family;
        this.sampler = new PositiveFirstSampler(samplesPerImage, posFraction);
    }

    /**
     * Targets for one view of a batch.
     *
     * @param boxes     per image, the view's proposals (xyxy in the view's pixels, ids = proposal ids)
     * @param padShapes per image, its own padded {@code {height, width}}, or {@code null}: every prior valid
     */
    public ViewTargets build(PriorLayout layout, List<BoxList> boxes, List<int[]> padShapes, SplittableRandom rng) {
        List<Integer> posImages = new ArrayList<>();
        List<Integer> posPriors = new ArrayList<>();
        List<Long> posIds = new ArrayList<>();
        List<Integer> negImages = new ArrayList<>();
        List<Integer> negPriors = new ArrayList<>();
        List<float[]> regression = new ArrayList<>();
        int[] positivesPerImage = new int[boxes.size()];
        // the images' assignments are independent and pure: computed in parallel (libtorch is idle meanwhile);
        // sampling then draws from rng image by image, in order, as before
        ImageTargets[] assigned = java.util.stream.IntStream.range(0, boxes.size()).parallel()
                .mapToObj(b -> family.assign(layout, boxes.get(b).xyxy(), padShapes == null ? null : padShapes.get(b)))
                .toArray(ImageTargets[]::new);
        for (int b = 0; b < boxes.size(); b++) {
            BoxList gt = boxes.get(b);
            ImageTargets t = assigned[b];
            Sample s = sampler.sample(t.gtIndex(), rng);
            positivesPerImage[b] = s.positives().length;
            for (int p : s.positives()) {
                posImages.add(b);
                posPriors.add(p);
                posIds.add(ViewTargets.instanceId(b, gt.ids()[t.gtIndex()[p]]));
                regression.add(t.targetOf(p));
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
        return new ViewTargets(images, pri, ids, np, reg, positivesPerImage);
    }
}
