package org.aligndet.cli;

import org.aligndet.bridge.onnx.OrtSessions;
import picocli.CommandLine.Option;

/**
 * {@code --device} of the commands that run ONNX Runtime ({@code predict}, {@code eval --model},
 * {@code check}): the same names as the training commands' torch {@code --device}, mapped onto
 * ONNX Runtime's CUDA device index ({@link OrtSessions#cudaDevice}). {@code --cpu} and
 * {@code --cuda} are the deprecated spellings, hidden. A command may change the default with a
 * default value provider (see {@link CheckCommand}).
 */
final class OrtDeviceOptions {
    @Option(names = "--device", paramLabel = "DEV", defaultValue = "auto", converter = Ranges.DeviceName.class,
            description = "ONNX Runtime device: auto, cpu, cuda or cuda:N; auto and cuda take CUDA device 0 where its "
                    + "provider loads and fall back to the CPU otherwise (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--cpu", hidden = true, description = "deprecated: --device cpu (default: off)")
    boolean cpu;

    @Option(names = "--cuda", hidden = true, description = "deprecated: --device cuda (default: off)")
    boolean cuda;

    /** The CUDA device index for {@link OrtSessions#open}, or {@link OrtSessions#CPU}; an old flag, when given, wins. */
    int cudaDevice() {
        return OrtSessions.cudaDevice(cpu ? "cpu" : cuda ? "cuda" : device);
    }
}
