package org.aligndet.bridge.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens ONNX Runtime sessions on CUDA when its provider loads, else on the CPU, logging one line
 * per session that says which.
 *
 * <p>Whether CUDA is usable is probed once per JVM and cached ({@link #providers()}). The probe is
 * skipped, and CUDA reported unavailable, when no NVIDIA driver is visible
 * ({@code /proc/driver/nvidia/version} or {@code /dev/nvidiactl}) or when the system property
 * {@code aligndet.ort.cuda} is {@code false}: adding the CUDA provider makes the onnxruntime_gpu
 * jar extract its ~700 MB CUDA provider library to a temporary directory first, which is wasted
 * time on machines without a GPU.
 */
public final class OrtSessions {
    private static final Logger LOG = LoggerFactory.getLogger(OrtSessions.class);

    /** Pass as the device index to ask for the CPU provider only. */
    public static final int CPU = -1;

    private static String cudaProblem; // null: CUDA loads; set once probed
    private static boolean probed;
    private static volatile int intraOpThreads; // 0: ONNX Runtime's default (one per physical core)
    private static volatile boolean spinning = true;
    private static volatile java.nio.file.Path profilePrefix; // null: no profiling

    private OrtSessions() {
    }

    /**
     * CPU threading of sessions opened from now on. ONNX Runtime's intra-op pool spins between
     * operators by default, which keeps its threads on the cores after {@code run} returns: in a
     * process that also runs libtorch (cross-runtime check, benchmarks) the spinning threads take
     * the cores libtorch's OpenMP pool needs. {@code spinning=false} makes them sleep instead.
     *
     * @param threads intra-op threads, 0 for ONNX Runtime's default
     */
    public static void cpuThreading(int threads, boolean spin) {
        if (threads < 0) {
            throw new IllegalArgumentException("ONNX Runtime threads must be >= 0, got " + threads);
        }
        intraOpThreads = threads;
        spinning = spin;
    }

    /**
     * Sessions opened from now on write ONNX Runtime's profile (per-node times, Chrome trace JSON)
     * to a file starting with {@code prefix}, ended by {@link OnnxSession#endProfiling()}; null stops it.
     */
    public static void profileTo(java.nio.file.Path prefix) {
        profilePrefix = prefix;
    }

    private static void applyThreading(OrtSession.SessionOptions o, boolean besideTorch) throws OrtException {
        if (profilePrefix != null) {
            o.enableProfiling(profilePrefix.toString());
        }
        if (intraOpThreads > 0) {
            o.setIntraOpNumThreads(intraOpThreads);
        }
        if (!spinning || besideTorch) {
            o.addConfigEntry("session.intra_op.allow_spinning", "0");
            o.addConfigEntry("session.inter_op.allow_spinning", "0");
        }
    }

    /** The process-wide ONNX Runtime environment. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /** The ONNX Runtime version, e.g. {@code 1.20.0}. */
    public static String version() {
        return environment().getVersion();
    }

    /** The providers that actually load here, best first: {@code [CUDA, CPU]} or {@code [CPU]}. */
    public static List<String> providers() {
        return cudaUnavailableReason() == null ? List.of("CUDA", "CPU") : List.of("CPU");
    }

    /** Why CUDA cannot be used here, or null when its provider loads (probed once, on device 0). */
    public static synchronized String cudaUnavailableReason() {
        if (!probed) {
            cudaProblem = probeCuda();
            probed = true;
        }
        return cudaProblem;
    }

    /**
     * The CUDA device index {@link #open} takes for a device name: {@code cpu} is {@link #CPU};
     * {@code auto} and {@code cuda} are device 0, {@code cuda:N} device N (each falls back to the
     * CPU, with a log line, when the CUDA provider does not load). Touches no native code.
     *
     * @throws IllegalArgumentException for any other name, e.g. {@code unknown device 'tpu': use auto, cpu, cuda or cuda:N}
     */
    public static int cudaDevice(String name) {
        String n = name == null ? "auto" : name.strip().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("cpu")) {
            return CPU;
        }
        if (n.equals("auto") || n.equals("cuda") || n.equals("gpu")) {
            return 0;
        }
        if (n.matches("(cuda|gpu):[0-9]{1,4}")) {
            return Integer.parseInt(n.substring(n.indexOf(':') + 1));
        }
        throw new IllegalArgumentException("unknown device '" + name + "': use auto, cpu, cuda or cuda:N");
    }

    private static String probeCuda() {
        if ("false".equalsIgnoreCase(System.getProperty("aligndet.ort.cuda"))) {
            return "disabled by -Daligndet.ort.cuda=false";
        }
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            return "not built into this onnxruntime jar";
        }
        if (!Files.exists(Path.of("/proc/driver/nvidia/version")) && !Files.exists(Path.of("/dev/nvidiactl"))) {
            return "no NVIDIA driver found";
        }
        environment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.addCUDA(0);
            return null;
        } catch (OrtException | LinkageError | RuntimeException e) {
            return firstLine(e);
        }
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * Opens a model file, after {@link OnnxModel#load} has checked it (external data included:
     * ONNX Runtime would read any file a tensor's location names).
     *
     * @param cudaDevice CUDA device index to use if CUDA loads, or {@link #CPU}
     * @throws OnnxFormatException naming the file when it is missing, fails those checks or ONNX
     *                             Runtime rejects it
     */
    public static OnnxSession open(Path file, int cudaDevice) {
        OnnxModel.load(file);
        return create(file.toString(), cudaDevice, false, o -> environment().createSession(file.toString(), o));
    }

    /**
     * Opens a serialised model held in memory, e.g. {@link OnnxModel#toBytes()} after filling it.
     * ONNX Runtime has no folder for such a model, so it cannot read external data; models read
     * from files had their external data checked by {@link OnnxModel#load}.
     *
     * @param name names the model in logs and error messages
     */
    public static OnnxSession open(byte[] model, String name, int cudaDevice) {
        return create(name, cudaDevice, false, o -> environment().createSession(model, o));
    }

    /**
     * As {@link #open(byte[], String, int)}, for a session that runs in turn with libtorch in this
     * process (the cross-runtime check): its threads sleep instead of spinning after each run, so that
     * libtorch gets the cores when its turn comes and each runtime's time is its own.
     */
    public static OnnxSession openBesideTorch(byte[] model, String name, int cudaDevice) {
        return create(name, cudaDevice, true, o -> environment().createSession(model, o));
    }

    private interface Creator {
        OrtSession create(OrtSession.SessionOptions options) throws OrtException;
    }

    private static OnnxSession create(String name, int cudaDevice, boolean besideTorch, Creator creator) {
        String why = cudaDevice < 0 ? "CPU requested" : cudaUnavailableReason();
        if (why == null) {
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.addCUDA(cudaDevice);
                applyThreading(o, besideTorch);
                OrtSession s = creator.create(o);
                LOG.info("ONNX Runtime {}: using CUDA provider on device {} for {}", version(), cudaDevice, name);
                return new OnnxSession(s, name, "CUDA");
            } catch (OrtException | LinkageError | RuntimeException e) {
                why = "device " + cudaDevice + ": " + firstLine(e);
            }
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            applyThreading(o, besideTorch);
            OrtSession s = creator.create(o);
            if (cudaDevice < 0) {
                LOG.info("ONNX Runtime {}: using CPU provider (requested) for {}", version(), name);
            } else {
                LOG.info("ONNX Runtime {}: CUDA provider unavailable ({}), using CPU for {}", version(), why, name);
            }
            return new OnnxSession(s, name, "CPU");
        } catch (OrtException e) {
            throw new OnnxFormatException(name, "ONNX Runtime cannot load the model: " + firstLine(e), e);
        }
    }
}
