/**
 * Inference with exported detectors through ONNX Runtime: pre-processing from the model's own
 * metadata, batching, boxes back in original image coordinates as
 * {@link org.aligndet.trainer.infer.Detections}, results files and drawings, and a model's
 * evaluation on a labelled set ({@link org.aligndet.export.predict.ModelEvaluation}).
 */
package org.aligndet.export.predict;
