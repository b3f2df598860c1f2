/**
 * Inference with exported detectors through ONNX Runtime: pre-processing from the model's own
 * metadata, batching, boxes back in original image coordinates, results files and drawings.
 */
package org.aligndet.export.predict;
