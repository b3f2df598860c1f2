/**
 * ONNX on the JVM without Python: {@link org.aligndet.bridge.onnx.OnnxModel} reads, edits and
 * atomically writes ONNX files through this project's own protobuf schema
 * ({@code src/main/proto/onnx_model.proto}, generated into {@code org.aligndet.bridge.onnx.proto});
 * {@link org.aligndet.bridge.onnx.OrtSessions} opens ONNX Runtime sessions on CUDA when it loads,
 * else on the CPU, and {@link org.aligndet.bridge.onnx.OnnxSession} runs them on
 * {@link org.aligndet.bridge.tensor.HostTensor}s. Bad input surfaces as
 * {@link org.aligndet.bridge.onnx.OnnxFormatException}, naming the file.
 */
package org.aligndet.bridge.onnx;
