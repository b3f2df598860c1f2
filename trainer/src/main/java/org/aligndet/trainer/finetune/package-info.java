/**
 * Supervised fine-tuning of dense detectors ({@link org.aligndet.trainer.finetune.Finetuner}): initialisation from an
 * AlignDet pre-trained detector or a backbone ({@link org.aligndet.trainer.finetune.FinetuneInit}, reported in
 * {@code init_report.json}), the paper's low-data folds ({@link org.aligndet.trainer.finetune.LowDataSubset}),
 * resumable checkpoints ({@link org.aligndet.trainer.finetune.FinetuneCheckpoint}) and validation through a
 * {@link org.aligndet.trainer.finetune.Validator} the caller supplies (COCO evaluation lives in {@code export}).
 */
package org.aligndet.trainer.finetune;
