/**
 * Starting weights of a detector graph: a backbone (this project's, mmdetection's, torchvision's or
 * MoCo's names), a pre-trained detector (projector dropped, classifier fresh) or the graph's own
 * initialisation, with a report of what came from where ({@link org.aligndet.trainer.weights.DetectorInit}).
 */
package org.aligndet.trainer.weights;
