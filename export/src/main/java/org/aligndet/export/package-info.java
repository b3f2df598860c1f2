/**
 * Export of trained detectors to ONNX and TorchScript, inference through ONNX Runtime, COCO and VOC
 * evaluation, and the cross-runtime check. Depends on the bridge and on the trainer (its dataset
 * readers, detection record, box functions and TorchScript predictor); nothing here parses a
 * dataset file or computes an IoU of its own.
 */
package org.aligndet.export;
