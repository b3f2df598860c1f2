/**
 * Inference on the JVM side: test-time pre-processing ({@link org.aligndet.trainer.infer.Preprocessor}),
 * post-processing of dense heads identical to the ONNX template's
 * ({@link org.aligndet.trainer.infer.DensePostprocess}, {@link org.aligndet.trainer.infer.MultiClassNms}),
 * and detections from a TorchScript detector through DJL ({@link org.aligndet.trainer.infer.TorchPredictor}).
 * Boxes are xyxy continuous pixels: network-input pixels before mapping back, original-image pixels after.
 */
package org.aligndet.trainer.infer;
