/**
 * Label assignment: pure functions from priors and gt boxes to an {@link org.aligndet.trainer.assign.Assignment}
 * (max-IoU) or {@link org.aligndet.trainer.assign.FcosTargets} (FCOS), with named special labels.
 */
package org.aligndet.trainer.assign;
