/**
 * Supervised fine-tuning of dense detectors: a {@link org.aligndet.trainer.run.TrainingTask}
 * ({@code FinetuneTask}) run by {@link org.aligndet.trainer.finetune.Finetuner}, initialised from an AlignDet
 * pre-trained detector or a backbone ({@link org.aligndet.trainer.weights.DetectorInit}), on the paper's
 * low-data folds ({@link org.aligndet.trainer.finetune.LowDataSubset}), validated through a
 * {@link org.aligndet.trainer.finetune.Validator} the caller supplies (COCO evaluation lives in {@code export}).
 */
package org.aligndet.trainer.finetune;
