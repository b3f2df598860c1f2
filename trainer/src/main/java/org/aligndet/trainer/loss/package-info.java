/**
 * Losses on DJL arrays (gradients flow), each a scalar: the box contrastive loss of AlignDet and the
 * detectors' own terms; {@link org.aligndet.trainer.loss.LossTerms} names, weights and sums them.
 */
package org.aligndet.trainer.loss;
