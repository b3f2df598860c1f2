package org.aligndet.bridge.torch;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the DJL device at run time from {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:i}. */
public final class Devices {
    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    private Devices() {
    }

    /**
     * Resolves a device name. {@code auto} takes GPU 0 when libtorch sees one, else the CPU; asking
     * for {@code cuda} where there is none is an error that says how many GPUs were found.
     */
    public static Device resolve(String name) {
        TorchRuntime.init();
        String n = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
        int gpus = Engine.getInstance().getGpuCount();
        Device d;
        if (n.equals("auto")) {
            d = gpus > 0 ? Device.gpu(0) : Device.cpu();
        } else if (n.equals("cpu")) {
            d = Device.cpu();
        } else if (n.equals("cuda") || n.equals("gpu") || n.startsWith("cuda:") || n.startsWith("gpu:")) {
            int idx = n.contains(":") ? parseIndex(name, n.substring(n.indexOf(':') + 1)) : 0;
            if (idx >= gpus) {
                throw new IllegalArgumentException("device '" + name + "' requested, but libtorch sees "
                        + gpus + " CUDA device(s)" + (gpus == 0 ? " (CPU natives, or no driver): use --device cpu" : ""));
            }
            d = Device.gpu(idx);
        } else {
            throw new IllegalArgumentException("unknown device '" + name + "': use auto, cpu, cuda or cuda:N");
        }
        return d;
    }

    /** Resolves and logs the choice once, in words. */
    public static Device resolveAndLog(String name) {
        Device d = resolve(name);
        String line = describe(d) + " (asked for '" + name + "', " + Engine.getInstance().getGpuCount() + " CUDA device(s) visible)";
        if (LOGGED.add(line)) {
            LOG.info("torch device: {}", line);
        }
        return d;
    }

    /** Each choice is logged once per process (a reproduction resolves the device for every run). */
    private static final java.util.Set<String> LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public static String describe(Device d) {
        return d.isGpu() ? "cuda:" + d.getDeviceId() : "cpu";
    }

    private static int parseIndex(String original, String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad device index in '" + original + "'");
        }
    }
}
