/**
 * Export of trained detectors to ONNX and TorchScript, inference through ONNX Runtime, COCO and VOC
 * evaluation, and the cross-runtime check. Depends on the bridge (and the trainer's data readers).
 */
package org.aligndet.export;
