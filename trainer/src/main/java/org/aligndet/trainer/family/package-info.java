/**
 * Detector families: each family's rules built once from a spec by
 * {@link org.aligndet.trainer.family.DetectorFamily#of} (the only place that tells families apart) and
 * shared by pre-training, fine-tuning, inference and the cross-runtime check, which is what AlignDet
 * means by aligning the two training stages.
 *
 * <ul>
 *   <li>{@link org.aligndet.trainer.family.DenseFamily}: priors, assignment, regression targets and loss,
 *       normaliser, decoding ({@link org.aligndet.trainer.family.RetinaNetFamily},
 *       {@link org.aligndet.trainer.family.FcosFamily});</li>
 *   <li>{@link org.aligndet.trainer.family.TwoStageFamily} (Faster/Mask R-CNN) and
 *       {@link org.aligndet.trainer.family.SetPredictionFamily} (DETR): where the next families plug in.</li>
 * </ul>
 */
package org.aligndet.trainer.family;
