/**
 * Cross-runtime check: the same pre-processed images through TorchScript (DJL, post-processing in
 * Java) and ONNX Runtime (the exported template), their raw head outputs, detections and AP
 * compared, and the differences bounded by {@link org.aligndet.export.check.Tolerances}.
 */
package org.aligndet.export.check;
