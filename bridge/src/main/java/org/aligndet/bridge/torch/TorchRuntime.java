package org.aligndet.bridge.torch;

import ai.djl.engine.Engine;

/**
 * One place that starts DJL's PyTorch engine the way this project needs it: offline (no download
 * of natives or models at start-up) and with the PyTorch engine explicitly.
 */
public final class TorchRuntime {
    private static volatile boolean started;

    private TorchRuntime() {
    }

    /** Sets DJL's offline switches (unless the user set them) and starts the engine once. */
    public static synchronized Engine init() {
        if (!started) {
            if (System.getProperty("ai.djl.offline") == null) {
                System.setProperty("ai.djl.offline", "true");
            }
            // DJL's telemetry reads the environment; the launcher exports OPT_OUT_TRACKING=true as well
            if (System.getProperty("OPT_OUT_TRACKING") == null) {
                System.setProperty("OPT_OUT_TRACKING", "true");
            }
            Engine.getEngine("PyTorch");
            started = true;
        }
        return Engine.getEngine("PyTorch");
    }

    /** The engine's own version string, e.g. {@code 2.1.1}. */
    public static String torchVersion() {
        return init().getVersion();
    }

    /** DJL's version, e.g. {@code 0.27.0}. */
    public static String djlVersion() {
        return Engine.getDjlVersion();
    }

    /** CUDA devices libtorch sees (0 without CUDA natives); starts the engine. */
    public static int gpuCount() {
        return init().getGpuCount();
    }
}
