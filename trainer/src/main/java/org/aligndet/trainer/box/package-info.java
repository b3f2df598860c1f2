/**
 * Boxes as values: {@link org.aligndet.trainer.box.BoxFormat}, and {@link org.aligndet.trainer.box.Boxes},
 * the one home of box IoU: pairwise IoU/GIoU/area/clip on flat {@code float[N*4]} arrays, and the
 * scalar IoU of two boxes in each reference's arithmetic (float32 and float64 variants named).
 */
package org.aligndet.trainer.box;
