package org.aligndet.trainer.pretrain;

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
 * One builder serves one training loop: {@link #build} keeps its per-image working arrays between
 * calls and is not for concurrent use.
 */
public final class TargetBuilder {
    private final DenseFamily family;
    private final PositiveFirstSampler sampler;
    /** Per image of the batch, the gt indices array the next assignment may write into ({@link DenseFamily#assign}). */
    private int[][] gtIndices = new int[0][];

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
        int count = boxes.size();
        if (gtIndices.length < count) {
            gtIndices = java.util.Arrays.copyOf(gtIndices, count);
        }
        int[][] reuse = gtIndices;
        // the images' assignments are independent and pure: computed in parallel (libtorch is idle meanwhile);
        // sampling then draws from rng image by image, in order, as before
        ImageTargets[] assigned = java.util.stream.IntStream.range(0, count).parallel()
                .mapToObj(b -> family.assign(layout, boxes.get(b).xyxy(), padShapes == null ? null : padShapes.get(b), reuse[b]))
                .toArray(ImageTargets[]::new);
        for (int b = 0; b < count; b++) {
            reuse[b] = assigned[b].gtIndex(); // read only below, in this call
        }
        Sample[] samples = new Sample[count];
        int[] positivesPerImage = new int[count];
        int np = 0;
        int n = 0;
        for (int b = 0; b < count; b++) {
            samples[b] = sampler.sample(assigned[b].gtIndex(), rng);
            positivesPerImage[b] = samples[b].positives().length;
            np += positivesPerImage[b];
            n += positivesPerImage[b] + samples[b].negatives().length;
        }
        // positives first (image by image), then the sampled background
        int[] images = new int[n];
        int[] pri = new int[n];
        long[] ids = new long[n];
        float[] reg = new float[np * 4];
        int pos = 0;
        int neg = np;
        for (int b = 0; b < count; b++) {
            ImageTargets t = assigned[b];
            long[] boxIds = boxes.get(b).ids();
            for (int p : samples[b].positives()) {
                images[pos] = b;
                pri[pos] = p;
                ids[pos] = ViewTargets.instanceId(b, boxIds[t.gtIndex()[p]]);
                t.copyTargetOf(p, reg, 4 * pos);
                pos++;
            }
            for (int p : samples[b].negatives()) {
                images[neg] = b;
                pri[neg] = p;
                ids[neg] = ViewTargets.BACKGROUND;
                neg++;
            }
        }
        return new ViewTargets(images, pri, ids, np, reg, positivesPerImage);
    }
}
