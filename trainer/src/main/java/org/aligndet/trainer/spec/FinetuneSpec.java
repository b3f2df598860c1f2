package org.aligndet.trainer.spec;

/**
 * Supervised fine-tuning settings, the spec's {@code finetune} section beside its recipe.
 *
 * @param recipe    SGD recipe of the supervised baseline ({@code epochs}, {@code batch}, {@code lr} required)
 * @param gradClip  {@code grad_clip}: total-norm clip, 0 or absent = off
 * @param longSide  {@code img_scale[0]}, default the input's
 * @param shortSide {@code img_scale[1]}, default the input's
 */
public record FinetuneSpec(Recipe recipe, double gradClip, int longSide, int shortSide) {
    public FinetuneSpec {
        if (gradClip < 0 || longSide <= 0 || shortSide <= 0) {
            throw new IllegalArgumentException("out of range: grad_clip " + gradClip + ", img_scale " + longSide + "x" + shortSide);
        }
    }
}
