/**
 * A dense detector's graph at work in training: the supervised loss
 * ({@link org.aligndet.trainer.detect.DenseSupervisedLoss}: focal classification plus the family's
 * regression loss, mmdetection v2 semantics, checked against PyTorch fixtures for RetinaNet and FCOS),
 * per-image targets ({@link org.aligndet.trainer.detect.GtBoxes}) and the focal-loss prior bias of a fresh
 * classifier ({@link org.aligndet.trainer.detect.ClassifierBias}). The rules themselves (priors,
 * assignment, coding) come from {@link org.aligndet.trainer.family}.
 */
package org.aligndet.trainer.detect;
