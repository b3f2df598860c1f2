package org.aligndet.trainer.spec;

import java.util.List;

/**
 * AlignDet box-domain pre-training settings, the spec's {@code pretrain} section beside its recipe.
 *
 * @param recipe          SGD recipe ({@code epochs}, {@code batch}, {@code lr} required; see {@link Recipe})
 * @param emaMomentum     {@code ema_momentum}: the momentum detector's EMA coefficient at the start, default 0.996
 * @param temperature     {@code temperature} of the box contrastive loss, default 0.5
 * @param projectorDim    {@code projector_dim}, default 256
 * @param sampleBoxes     {@code sample_boxes}: priors sampled per image and view, positives first, default 2048
 * @param gradClip        {@code grad_clip}: total-norm clip, 0 or absent = off (mmdetection's default)
 * @param longSide        {@code img_scale[0]}: the long-side cap of the views, default the input's
 * @param shortSides      {@code img_scale[1]}: the short sides one of which each view draws, default the input's
 * @param boxLoss         {@code loss_bbox}: the regression loss on proposals, default the family's
 *                        (RetinaNet {@code l1}, FCOS {@code iou} as AlignDet's FCOS config)
 */
public record PretrainSpec(Recipe recipe, double emaMomentum, double temperature, int projectorDim, int sampleBoxes,
                           double gradClip, int longSide, List<Integer> shortSides, String boxLoss) {
    public PretrainSpec {
        shortSides = List.copyOf(shortSides);
        if (shortSides.isEmpty() || projectorDim <= 0 || sampleBoxes <= 0 || !(temperature > 0)
                || !(emaMomentum >= 0 && emaMomentum <= 1) || gradClip < 0) {
            throw new IllegalArgumentException("out of range: short sides " + shortSides + ", projector_dim " + projectorDim
                    + ", sample_boxes " + sampleBoxes + ", temperature " + temperature + ", ema_momentum " + emaMomentum
                    + ", grad_clip " + gradClip);
        }
    }
}
