/**
 * The image-domain stage for specs without an importable backbone: crop classification with the
 * detector's own backbone, a {@link org.aligndet.trainer.run.TrainingTask} run by
 * {@link org.aligndet.trainer.backbone.BackbonePretrainer}.
 */
package org.aligndet.trainer.backbone;
