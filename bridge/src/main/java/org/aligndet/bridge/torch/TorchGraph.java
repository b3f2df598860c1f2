package org.aligndet.bridge.torch;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.aligndet.bridge.io.AtomicFiles;
import org.aligndet.bridge.io.FileBytes;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * A scripted TorchScript module loaded for training, whose exported methods are called from Java
 * with gradients flowing into its parameters.
 *
 * <p>Contract: parameters are loaded trainable ({@code trainParam=true}); the module's train/eval
 * mode is whatever {@link #setTraining} last set (it starts in eval mode, and says so); grad
 * recording is a separate switch per call ({@link #call}). Inputs and outputs live on
 * {@link #device()}.
 */
public final class TorchGraph implements AutoCloseable {
    private final Path source;
    private final PtNDManager manager;
    private final PtSymbolBlock block;
    private final Map<String, Parameter> params;
    /** Parameters held here instead of by the module (see {@link #replaceParameter}), in insertion order. */
    private final Map<String, NDArray> replaced = new LinkedHashMap<>();
    private boolean training;

    private TorchGraph(Path source, PtNDManager manager, PtSymbolBlock block) {
        this.source = source;
        this.manager = manager;
        this.block = block;
        Map<String, Parameter> p = new LinkedHashMap<>();
        for (var pair : block.getDirectParameters()) {
            p.put(pair.getKey(), pair.getValue());
        }
        this.params = p;
        JniUtils.enableInferenceMode(block);
        this.training = false;
    }

    /** Loads a scripted graph on a device, with every parameter trainable and the module in eval mode. */
    public static TorchGraph load(Path file, Device device) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(2);
        } catch (NoSuchFileException e) {
            throw new GraphException(file + ": no such file");
        } catch (IOException e) {
            throw new GraphException(file + (Files.isDirectory(file) ? ": is a directory, not a TorchScript file"
                    : ": cannot read (" + e.getMessage() + ")"), e);
        }
        if (head.length < 2 || head[0] != 'P' || head[1] != 'K') {
            throw new GraphException(file + ": not a TorchScript archive (expected a zip file written by torch.jit.save)");
        }
        return fromCopy(file, device, tmp -> Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING));
    }

    /** Loads and checks that every named method exists (an error names the file and what is missing). */
    public static TorchGraph load(Path file, Device device, String... requiredMethods) {
        TorchGraph g = load(file, device);
        try {
            g.requireMethods(requiredMethods);
        } catch (GraphException e) {
            g.close();
            throw e;
        }
        return g;
    }

    /** What fills the private copy a graph is loaded from. */
    @FunctionalInterface
    private interface Copy {
        void into(Path tmp) throws IOException;
    }

    /**
     * Loads the graph from a private temporary copy of it, which {@code copy} writes (so a graph
     * file replaced meanwhile cannot change what is loaded), deleted once loaded. No copy of the
     * archive stays in memory: {@link #copyFrozen} writes the live module out again.
     */
    private static TorchGraph fromCopy(Path source, Device device, Copy copy) {
        TorchRuntime.init();
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager(device, "PyTorch");
        try {
            Path tmp = Files.createTempFile("aligndet-graph", ".ts");
            try {
                copy.into(tmp);
                PtSymbolBlock block = JniUtils.loadModule(manager, tmp, true, new String[0], new String[0], true);
                block.freezeParameters(false);
                return new TorchGraph(source, manager, block);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            manager.close();
            if (e instanceof GraphException) {
                throw (GraphException) e;
            }
            throw new GraphException(source + ": libtorch could not load it as TorchScript: " + cause(e), e);
        }
    }

    /**
     * The first line of the first non-blank message in {@code e}'s cause chain: DJL wraps
     * libtorch's error (e.g. {@code Unknown type name 'posix.system'}) in exceptions without one.
     */
    static String cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank()) {
                String first = m.strip().lines().findFirst().orElse(m);
                return t == e ? first : first + " (" + t.getClass().getSimpleName() + ")";
            }
        }
        return "(no message) " + e.getClass().getName();
    }

    public Path source() {
        return source;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The manager that owns this graph's parameters; outputs of {@link #call} attach to the inputs' manager. */
    public NDManager manager() {
        return manager;
    }

    /** Names of the module's methods, {@code forward} included. */
    public Set<String> methods() {
        return new LinkedHashSet<>(Arrays.asList(JniUtils.getMethodNames(block)));
    }

    public void requireMethods(String... names) {
        Set<String> have = methods();
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (!have.contains(n)) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new GraphException(source + ": TorchScript graph lacks method(s) " + missing
                    + " (has " + have + "); regenerate it with model-specs/generator/generate.py");
        }
    }

    /** Switches the module's own train/eval mode (dropout, norm layers); independent of grad recording. */
    public void setTraining(boolean on) {
        if (on) {
            JniUtils.enableTrainingMode(block);
        } else {
            JniUtils.enableInferenceMode(block);
        }
        training = on;
    }

    public boolean isTraining() {
        return training;
    }

    /**
     * Calls an exported method. Each argument is an {@link NDArray} (a {@code Tensor} parameter) or an
     * {@link NDList} (a {@code List[Tensor]} parameter). Tuples and lists in the result are flattened in
     * order: {@code (List[A], List[B])} of L levels each comes back as A0..A(L-1), B0..B(L-1).
     *
     * @param grad when true, libtorch records autograd history (trainable parameters then receive
     *     gradients on backward); when false the call runs with grad mode off: its outputs carry no
     *     history but are ordinary tensors (not inference tensors), so they may still enter a later
     *     backward pass as constants, e.g. a frozen backbone's features or the momentum detector's
     */
    public NDList call(String method, boolean grad, Object... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("method " + method + " called without inputs");
        }
        disableGraphOptimizerOnThisThread();
        NDManager outManager = firstArray(args).getManager();
        NDList in = new NDList();
        NDArray marker = outManager.create(0f);
        marker.setName("module_method:" + method);
        in.add(marker);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof NDArray) {
                NDArray x = (NDArray) a;
                x.setName("t" + i);
                in.add(x);
            } else if (a instanceof NDList) {
                NDList list = (NDList) a;
                if (list.isEmpty()) {
                    throw new IllegalArgumentException("empty list for argument " + i + " of " + method);
                }
                for (NDArray x : list) {
                    x.setName("l" + i + "[]");
                    in.add(x);
                }
            } else {
                throw new IllegalArgumentException("argument " + i + " of " + method + " is neither NDArray nor NDList");
            }
        }
        try {
            if (grad) {
                try (GradMode g = GradMode.on()) {
                    return IValueUtils.forward(block, in, true);
                }
            }
            // isTrain=true keeps DJL from entering libtorch's inference mode; grad mode off drops history
            try (GradMode g = GradMode.off()) {
                return IValueUtils.forward(block, in, true);
            }
        } finally {
            marker.close();
        }
    }

    private static final ThreadLocal<Boolean> OPTIMIZER_OFF = ThreadLocal.withInitial(() -> false);

    /**
     * TorchScript's profiling executor re-specialises and re-fuses the graph whenever input shapes
     * change, which multi-scale training does every step: measured here as seconds per call. The
     * plain executor runs every shape at once. The switch is thread-local in libtorch.
     */
    private static void disableGraphOptimizerOnThisThread() {
        if (!OPTIMIZER_OFF.get()) {
            JniUtils.setGraphExecutorOptimize(false);
            OPTIMIZER_OFF.set(true);
        }
    }

    private static NDArray firstArray(Object[] args) {
        Object a = args[0];
        if (a instanceof NDList) {
            return ((NDList) a).get(0);
        }
        return (NDArray) a;
    }

    /** Parameters by their state_dict name, in the module's order. */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.getArray()));
        return out;
    }

    /** Freezes (no gradient) every parameter whose name matches; returns how many matched. */
    public int freeze(Predicate<String> names) {
        int n = 0;
        for (var e : params.entrySet()) {
            if (names.test(e.getKey())) {
                e.getValue().freeze(true);
                n++;
            }
        }
        return n;
    }

    /** Freezes every parameter under any of the prefixes, e.g. {@code "backbone."}. */
    public int freezePrefixes(String... prefixes) {
        return freeze(n -> Arrays.stream(prefixes).anyMatch(n::startsWith));
    }

    /** Makes every parameter trainable again. */
    public void unfreezeAll() {
        params.values().forEach(p -> p.freeze(false));
    }

    public boolean requiresGrad(String name) {
        NDArray a = params.get(name).getArray();
        return JniUtils.requiresGrad((PtNDArray) a);
    }

    /** Names of the parameters that currently take gradients, in order. */
    public List<String> trainableNames() {
        List<String> out = new ArrayList<>();
        params.forEach((k, v) -> {
            if (JniUtils.requiresGrad((PtNDArray) v.getArray())) {
                out.add(k);
            }
        });
        return out;
    }

    /** The gradient libtorch accumulated for a parameter, or {@code null} if backward never reached it. */
    public NDArray gradient(String name) {
        return JniUtils.getGradient((PtNDArray) params.get(name).getArray());
    }

    /** Zeroes (drops) every accumulated gradient. */
    public void zeroGrad() {
        for (Parameter p : params.values()) {
            PtNDArray a = (PtNDArray) p.getArray();
            if (JniUtils.getGradient(a) != null) {
                JniUtils.zeroGrad(a);
            }
        }
    }

    /** A host copy of every parameter by name. */
    public Map<String, HostTensor> stateDict() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, NdTensors.toHost(v.getArray())));
        return out;
    }

    /**
     * Copies tensors into parameters by name. Shapes must match; the report lists what was loaded,
     * what the graph has that the map lacks, what the map has that the graph lacks, and mismatches.
     */
    public LoadReport load(Map<String, HostTensor> weights) {
        LoadReport.Builder r = new LoadReport.Builder();
        for (var e : params.entrySet()) {
            HostTensor t = weights.get(e.getKey());
            NDArray target = e.getValue().getArray();
            if (t == null) {
                r.missing(e.getKey());
            } else if (!Arrays.equals(t.shape(), target.getShape().getShape())) {
                r.mismatched(e.getKey(), t.shape(), target.getShape().getShape());
            } else {
                NdTensors.copyInto(target, t.dtype() == NdTensors.fromDjl(target.getDataType()) ? t : castFloat(t));
                r.loaded(e.getKey());
            }
        }
        for (String k : weights.keySet()) {
            if (!params.containsKey(k)) {
                r.unexpected(k);
            }
        }
        return r.build();
    }

    private static HostTensor castFloat(HostTensor t) {
        return HostTensor.ofFloats(t.shape(), t.toFloats());
    }

    /** Overwrites this graph's parameters with another graph's (same structure), without autograd. */
    public void copyFrom(TorchGraph other) {
        for (var e : params.entrySet()) {
            // in place: DJL's copyTo would make each parameter wrap a Java direct buffer (see NdTensors.copyInto)
            NdTensors.assign(e.getValue().getArray(), other.params.get(e.getKey()).getArray());
        }
    }

    /**
     * A second, independent module in memory with the same code and the current parameter values,
     * every parameter frozen: the momentum (EMA) copy.
     */
    public TorchGraph copyFrozen() {
        TorchGraph g = fromCopy(source, device(), tmp -> {
            try (OutputStream os = FileBytes.chunked(Files.newOutputStream(tmp))) {
                JniUtils.writeModule(block, os, false);
            }
        });
        replaced.forEach((k, v) -> g.replaceParameter(k, NdTensors.toHost(v)));
        g.copyFrom(this);
        g.freeze(n -> true);
        return g;
    }

    /**
     * Puts a parameter of another shape in place of one the module holds: every accessor of this
     * class (parameters, state dict, load, freeze, gradients, copies) then sees the replacement,
     * trainable, on this graph's device. The module's own methods still use their own tensor, so
     * the caller computes whatever the parameter feeds in Java (AlignDet's run-time sized
     * classifier: the final classification conv of a graph generated for another number of
     * classes). Use {@link #replaced()} to find them; {@link #save} refuses a graph with any.
     */
    public void replaceParameter(String name, HostTensor value) {
        Parameter old = params.get(name);
        if (old == null) {
            throw new GraphException(source + ": has no parameter " + name + " to replace");
        }
        NDArray a = NdTensors.toNd(manager, value);
        a.setName(name);
        Parameter p = Parameter.builder().setName(name).setType(old.getType()).optArray(a).build();
        p.freeze(false);
        params.put(name, p);
        NDArray previous = replaced.put(name, a);
        if (previous != null) {
            previous.close();
        }
        // the module's own tensor takes no gradient: nothing reaches it
        old.freeze(true);
    }

    /** The parameters {@link #replaceParameter} put in place of the module's, by name. */
    public Map<String, NDArray> replaced() {
        return Collections.unmodifiableMap(replaced);
    }

    /** Writes a plain TorchScript file with the current parameter values, atomically. */
    public void save(Path file) throws IOException {
        if (!replaced.isEmpty()) {
            throw new GraphException(source + ": cannot be saved as TorchScript: " + replaced.keySet()
                    + " are held outside the module (sized at run time); generate graphs for the spec instead");
        }
        AtomicFiles.write(file, os -> JniUtils.writeModule(block, os, false));
    }

    @Override
    public void close() {
        block.close();
        manager.close();
    }
}
