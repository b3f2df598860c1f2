/** Boxes as values: {@link org.aligndet.trainer.box.BoxFormat} and pure IoU/GIoU/area/clip on flat {@code float[N*4]} arrays. */
package org.aligndet.trainer.box;
