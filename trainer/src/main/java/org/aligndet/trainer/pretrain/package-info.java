/**
 * AlignDet's box-domain pre-training: a {@link org.aligndet.trainer.run.TrainingTask} ({@code PretrainTask})
 * run by {@link org.aligndet.trainer.pretrain.AlignDetPretrainer}. The detector's own assignment of
 * priors to proposals and positive-first sampling ({@link org.aligndet.trainer.pretrain.TargetBuilder}),
 * the box contrastive loss plus the family's regression loss
 * ({@link org.aligndet.trainer.pretrain.AlignDetObjective}), the momentum detector by EMA.
 */
package org.aligndet.trainer.pretrain;
