/**
 * Export of trained detectors: a checkpoint's weights filled by name into the spec's ONNX inference
 * template (with metadata that makes the file self-describing), or loaded into its TorchScript graph.
 */
package org.aligndet.export.onnx;
