/**
 * Inference on the JVM side: test-time pre-processing ({@link org.aligndet.trainer.infer.Preprocessor}),
 * post-processing of dense heads identical to the ONNX template's
 * ({@link org.aligndet.trainer.infer.DensePostprocess}, {@link org.aligndet.trainer.infer.MultiClassNms}),
 * and detections from a TorchScript detector through DJL ({@link org.aligndet.trainer.infer.TorchPredictor}).
 * {@link org.aligndet.trainer.infer.Detections} is the project's one detection record, also what the
 * export module's ONNX Runtime predictor, results files, evaluators and cross-runtime check use.
 * Boxes are xyxy continuous pixels: network-input pixels before mapping back, original-image pixels after.
 */
package org.aligndet.trainer.infer;
