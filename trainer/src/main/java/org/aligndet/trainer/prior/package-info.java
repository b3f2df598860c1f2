/** Priors of dense heads: anchors (RetinaNet) and points (FCOS) per pyramid level, in input pixels. */
package org.aligndet.trainer.prior;
