package org.aligndet.export.reproduce;

/**
 * How one arm of the comparison starts fine-tuning.
 *
 * @param name             {@code baseline}, {@code aligndet}, {@code baseline_aligndet_recipe}, or an ablation's arm
 * @param fromPretrained   from the AlignDet pre-trained detector (else from the image-domain backbone only)
 * @param alignDetRecipe   AlignDet's fine-tuning recipe (lr x 1.5, weight decay x 0.5) rather than the baseline's
 * @param pretrainVariant  which pre-training run it starts from ({@code main} or an ablation's name); unused otherwise
 */
public record Arm(String name, boolean fromPretrained, boolean alignDetRecipe, String pretrainVariant) {
    public static final Arm BASELINE = new Arm("baseline", false, false, "");
    public static final Arm ALIGNDET = new Arm("aligndet", true, true, "main");
    /** The control: the baseline with AlignDet's recipe, so that a gain cannot be the learning rate. */
    public static final Arm CONTROL = new Arm("baseline_aligndet_recipe", false, true, "");
}
