/**
 * Two-stage detector building blocks (Faster R-CNN / Mask R-CNN, mmdetection 2.x semantics):
 * RoIAlign with core torch ops, the multi-level RoI extractor, RPN anchor targets, RPN proposals and
 * the RoI head's sampled targets. Each class names the reference it follows; the fixtures come from
 * model-specs/generator/roi_fixtures.py.
 */
package org.aligndet.trainer.twostage;
