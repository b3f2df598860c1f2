/**
 * Detector graphs as the Java side sees them: a dense graph driven stage by stage
 * ({@link org.aligndet.trainer.model.DenseDetector}), its outputs and where each prior sits in them
 * ({@link org.aligndet.trainer.model.HeadOutputs}, {@link org.aligndet.trainer.model.PriorLayout}), row
 * selection on them ({@link org.aligndet.trainer.model.DenseMaps}), the AlignDet projector and the
 * mapping of foreign weight names.
 */
package org.aligndet.trainer.model;
