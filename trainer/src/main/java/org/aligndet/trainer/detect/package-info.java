/**
 * Supervised detection losses for fine-tuning, composed from priors, assigners, coders and the loss
 * functions: {@link org.aligndet.trainer.detect.RetinaNetLoss} (focal + L1 on deltas) and
 * {@link org.aligndet.trainer.detect.FcosLoss} (focal + IoU/GIoU + centre-ness), both with mmdetection v2
 * semantics and checked against PyTorch fixtures; per-image targets are
 * {@link org.aligndet.trainer.detect.GtBoxes}; {@link org.aligndet.trainer.detect.ClassifierBias} gives the
 * focal-loss prior bias for a fresh classifier.
 */
package org.aligndet.trainer.detect;
