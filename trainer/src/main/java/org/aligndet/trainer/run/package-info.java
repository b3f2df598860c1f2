/**
 * The one training loop ({@link org.aligndet.trainer.run.TrainingLoop}) and what every stage shares:
 * its options ({@link org.aligndet.trainer.run.TrainOptions}), the task interface stages implement
 * ({@link org.aligndet.trainer.run.TrainingTask}), checkpoints with {@code latest} and keep-N
 * ({@link org.aligndet.trainer.run.CheckpointStore}), metrics, progress, loss curves, signals and the
 * divergence guard.
 */
package org.aligndet.trainer.run;
