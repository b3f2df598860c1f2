package org.aligndet.bridge.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.GlobalRef.Kind;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * The whitelist: the only globals a checkpoint pickle may name, and what calling each one means.
 * Allowed are {@code collections.OrderedDict}, torch's tensor and parameter rebuild functions,
 * torch storage classes and dtypes, {@code torch.Size}, {@code torch.device}, {@code set} and
 * {@code frozenset}, numpy scalars (decoded to Java numbers), numpy dtypes and arrays (kept as
 * {@link OpaqueValue}), and {@code _codecs.encode} (how protocol 2 writes bytes). Every other
 * name is refused as soon as the pickle names it, whatever opcode names it; nothing is executed
 * and no reflection is done on pickle-supplied names.
 *
 * <p><b>Import mode</b> ({@code placeholders = true}, for {@link TorchCheckpoint#readForImport}):
 * a global outside the whitelist becomes an inert {@link Placeholder} instead of an error, so that
 * the tensors of a foreign training checkpoint (mmengine's {@code message_hub}, an
 * {@code argparse.Namespace}, numpy objects, another framework's optimiser) still load. Calling,
 * instantiating or BUILDing a placeholder makes another placeholder holding the arguments or state
 * as data; nothing runs. Globals from modules that run code, touch files, processes or the
 * interpreter ({@link #NEVER}) stay refused in this mode too: a checkpoint naming them is hostile.
 */
final class TorchGlobals implements PickleHandler {
    /** Makes the storage a persistent id names, after checking it against its data entry. */
    interface StorageSource {
        StorageRef storage(String key, DType dtype, long numel) throws CheckpointFormatException;
    }

    private static final Map<String, Kind> FIXED = new HashMap<>();
    private static final Map<String, DType> TORCH_DTYPES = new HashMap<>();

    static {
        FIXED.put("collections.OrderedDict", Kind.ORDERED_DICT);
        FIXED.put("torch._utils._rebuild_tensor", Kind.REBUILD_TENSOR);
        FIXED.put("torch._utils._rebuild_tensor_v2", Kind.REBUILD_TENSOR_V2);
        FIXED.put("torch._utils._rebuild_parameter", Kind.REBUILD_PARAMETER);
        FIXED.put("torch._utils._rebuild_parameter_with_state", Kind.REBUILD_PARAMETER);
        FIXED.put("torch.Size", Kind.TORCH_SIZE);
        FIXED.put("torch.device", Kind.TORCH_DEVICE);
        FIXED.put("builtins.set", Kind.SET);
        FIXED.put("__builtin__.set", Kind.SET);
        FIXED.put("builtins.frozenset", Kind.FROZENSET);
        FIXED.put("__builtin__.frozenset", Kind.FROZENSET);
        FIXED.put("numpy.core.multiarray.scalar", Kind.NUMPY_SCALAR);
        FIXED.put("numpy._core.multiarray.scalar", Kind.NUMPY_SCALAR);
        FIXED.put("numpy.dtype", Kind.NUMPY_DTYPE);
        FIXED.put("numpy.core.multiarray._reconstruct", Kind.NUMPY_ARRAY);
        FIXED.put("numpy._core.multiarray._reconstruct", Kind.NUMPY_ARRAY);
        FIXED.put("numpy.ndarray", Kind.NUMPY_ARRAY);
        FIXED.put("_codecs.encode", Kind.CODECS_ENCODE);
        String[][] aliases = {
            {"float32", "float"}, {"float64", "double"}, {"float16", "half"}, {"bfloat16"},
            {"int64", "long"}, {"int32", "int"}, {"int16", "short"}, {"int8"}, {"uint8"}, {"bool"}};
        for (String[] names : aliases) {
            for (String n : names) {
                TORCH_DTYPES.put(n, DType.parse(names[0]));
            }
        }
    }

    /**
     * Modules (and their submodules) whose globals are refused even in import mode: their only use in
     * a pickle is to run code, reach the file system, processes or the network, or rebind the
     * interpreter.
     */
    static final List<String> NEVER = List.of("os", "posix", "nt", "subprocess", "sys", "builtins", "__builtin__",
            "importlib", "runpy", "pickle", "_pickle", "copyreg", "shutil", "socket", "ctypes", "code", "codeop", "pty",
            "marshal", "types", "functools", "operator", "io", "_io", "webbrowser", "multiprocessing", "threading",
            "signal", "tempfile", "pathlib", "glob", "inspect", "ast", "dill", "cloudpickle", "torch");
    // torch: beyond the whitelist above only torch.nn.* and torch.optim.* classes become placeholders

    private final String source;
    private final StorageSource storages;
    private final boolean placeholders;

    TorchGlobals(String source, StorageSource storages) {
        this(source, storages, false);
    }

    TorchGlobals(String source, StorageSource storages, boolean placeholders) {
        this.source = source;
        this.storages = storages;
        this.placeholders = placeholders;
    }

    static boolean neverAllowed(String module) {
        if (module.startsWith("torch.nn.") || module.startsWith("torch.optim.")) {
            return false; // module and optimiser classes: data to a placeholder, never built
        }
        for (String m : NEVER) {
            if (module.equals(m) || module.startsWith(m + ".")) {
                return true;
            }
        }
        return false;
    }

    private CheckpointFormatException fail(String message) {
        return new CheckpointFormatException(source + ": " + message);
    }

    @Override
    public Object global(String module, String name) throws CheckpointFormatException {
        String qualified = module + "." + name;
        Kind kind = FIXED.get(qualified);
        if (kind != null) {
            return new GlobalRef(module, name, kind, null);
        }
        if (module.equals("torch") || module.equals("torch.storage")) {
            if (name.equals("UntypedStorage") || name.equals("_UntypedStorage")) {
                return new GlobalRef(module, name, Kind.STORAGE, DType.UINT8);
            }
            DType storage = module.equals("torch") ? DType.fromTorchStorage(name) : null;
            if (storage != null) {
                return new GlobalRef(module, name, Kind.STORAGE, storage);
            }
            DType dtype = module.equals("torch") ? TORCH_DTYPES.get(name) : null;
            if (dtype != null) {
                return new GlobalRef(module, name, Kind.TORCH_DTYPE, dtype);
            }
        }
        if (placeholders && !neverAllowed(module)) {
            return new Placeholder(qualified, false, List.of());
        }
        throw fail("refused global '" + Protocol0Text.clip(qualified)
                + "' (only tensors, OrderedDict and plain containers are read)");
    }

    /** Calling a placeholder (REDUCE, NEWOBJ, OBJ, INST): another placeholder holding the arguments. */
    private static Placeholder call(Placeholder p, List<Object> args) {
        return new Placeholder(p.global(), true, args);
    }

    private GlobalRef callable(Object o, String opcode) throws CheckpointFormatException {
        if (o instanceof GlobalRef g) {
            return g;
        }
        throw fail("refused " + opcode + " on a " + Unpickler.typeName(o)
                + " (only whitelisted globals can be called)");
    }

    @Override
    public Object reduce(Object callable, List<Object> args) throws CheckpointFormatException {
        if (callable instanceof Placeholder p && !p.called()) {
            return call(p, args);
        }
        GlobalRef g = callable(callable, "REDUCE");
        switch (g.kind()) {
            case ORDERED_DICT:
                return orderedDict(args);
            case REBUILD_TENSOR_V2:
            case REBUILD_TENSOR:
                int min = g.kind() == Kind.REBUILD_TENSOR ? 4 : 6;
                arity(g, args, min, min + 1);
                return TensorRebuild.rebuild(source, args.get(0), args.get(1), args.get(2), args.get(3));
            case REBUILD_PARAMETER:
                arity(g, args, 3, 4);
                if (!(args.get(0) instanceof HostTensor)) {
                    throw fail(g + " needs a tensor, got " + Unpickler.typeName(args.get(0)));
                }
                return args.get(0);
            case TORCH_SIZE:
                arity(g, args, 1, 1);
                if (args.get(0) instanceof PickleTuple t) {
                    return t;
                }
                if (args.get(0) instanceof ArrayList<?> l) {
                    return new PickleTuple(new ArrayList<Object>(l));
                }
                throw fail("torch.Size needs a tuple, got " + Unpickler.typeName(args.get(0)));
            case SET:
            case FROZENSET:
                return set(g, args);
            case NUMPY_SCALAR:
                return NumpyScalar.decode(source, args);
            case NUMPY_DTYPE:
            case NUMPY_ARRAY:
            case TORCH_DEVICE:
                return new OpaqueValue(g.qualifiedName(), args);
            case CODECS_ENCODE:
                return encode(args);
            default:
                throw fail("refused REDUCE of '" + g + "' (it is only allowed as data)");
        }
    }

    @Override
    public Object instantiate(Object cls, List<Object> args, Map<Object, Object> kwargs, String opcode)
            throws CheckpointFormatException {
        if (cls instanceof Placeholder p && !p.called()) {
            java.util.ArrayList<Object> all = new java.util.ArrayList<>(args);
            if (!kwargs.isEmpty()) {
                all.add(new java.util.LinkedHashMap<>(kwargs));
            }
            return call(p, all);
        }
        GlobalRef g = callable(cls, opcode);
        if (!kwargs.isEmpty()) {
            throw fail("refused " + opcode + " of '" + g + "' with keyword arguments");
        }
        switch (g.kind()) {
            case ORDERED_DICT:
                return new PickleOrderedDict();
            case SET:
            case FROZENSET:
                return set(g, args);
            case NUMPY_ARRAY:
                return new OpaqueValue(g.qualifiedName(), args);
            default:
                throw fail("refused " + opcode + " of '" + g + "' (not a class this reader builds)");
        }
    }

    @Override
    public void build(Object target, Object state) throws CheckpointFormatException {
        if (target instanceof OpaqueValue o) {
            o.setState(state);
            return;
        }
        if (target instanceof Placeholder p && p.called()) {
            p.setState(state);
            return;
        }
        if (target instanceof PickleOrderedDict d) {
            Object dictState = state;
            Object slots = null;
            if (state instanceof PickleTuple t && t.size() == 2) {
                dictState = t.get(0);
                slots = t.get(1);
            }
            for (Object part : new Object[] {dictState, slots}) {
                if (part == null) {
                    continue;
                }
                if (!(part instanceof Map<?, ?> m)) {
                    throw fail("BUILD state for an OrderedDict is a " + Unpickler.typeName(part) + ", not a dict");
                }
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) {
                        throw fail("OrderedDict attribute name is a " + Unpickler.typeName(e.getKey()));
                    }
                    d.attributes().put(k, e.getValue());
                }
            }
            return;
        }
        throw fail("refused BUILD on a " + Unpickler.typeName(target) + " (no state can be set on it)");
    }

    @Override
    public Object persistentLoad(Object pid) throws CheckpointFormatException {
        if (pid instanceof PickleTuple t && t.size() == 5 && "storage".equals(t.get(0))
                && t.get(1) instanceof GlobalRef g && g.kind() == Kind.STORAGE
                && t.get(2) instanceof String key && t.get(3) instanceof String
                && t.get(4) instanceof Number n) {
            if (!(n instanceof Long numel) || numel < 0) {
                throw fail("storage '" + key + "' declares " + n + " elements, which exceeds what can be read");
            }
            return storages.storage(key, g.dtype(), numel);
        }
        throw fail("unsupported persistent id " + Protocol0Text.clip(String.valueOf(pid))
                + " (expected ('storage', <storage class>, key, location, numel))");
    }

    private void arity(GlobalRef g, List<Object> args, int min, int max) throws CheckpointFormatException {
        if (args.size() < min || args.size() > max) {
            throw fail(g + " called with " + args.size() + " arguments");
        }
    }

    private PickleOrderedDict orderedDict(List<Object> args) throws CheckpointFormatException {
        PickleOrderedDict d = new PickleOrderedDict();
        if (args.isEmpty()) {
            return d;
        }
        if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
            for (Object p : pairs) {
                List<?> kv = p instanceof PickleTuple t ? t.items() : p instanceof List<?> l ? l : null;
                if (kv == null || kv.size() != 2 || !isPlainKey(kv.get(0))) {
                    throw fail("OrderedDict built from something other than (key, value) pairs");
                }
                d.put(kv.get(0), kv.get(1));
            }
            return d;
        }
        throw fail("collections.OrderedDict called with unsupported arguments");
    }

    private static boolean isPlainKey(Object k) {
        return k == null || k instanceof String || k instanceof Number || k instanceof Boolean;
    }

    private Object set(GlobalRef g, List<Object> args) throws CheckpointFormatException {
        LinkedHashSet<Object> s = new LinkedHashSet<>();
        if (args.size() == 1 && args.get(0) instanceof List<?> items) {
            for (Object item : items) {
                if (!isPlainKey(item)) {
                    throw fail(g + " of unhashable or unsupported items");
                }
                s.add(item);
            }
        } else if (!args.isEmpty()) {
            throw fail(g + " called with unsupported arguments");
        }
        return g.kind() == Kind.FROZENSET ? Collections.unmodifiableSet(s) : s;
    }

    private byte[] encode(List<Object> args) throws CheckpointFormatException {
        if (args.size() >= 1 && args.size() <= 2 && args.get(0) instanceof String text) {
            String enc = args.size() == 2 && args.get(1) instanceof String e ? e : "utf-8";
            switch (enc.toLowerCase(java.util.Locale.ROOT)) {
                case "latin1", "latin-1", "iso-8859-1":
                    byte[] out = new byte[text.length()];
                    for (int i = 0; i < out.length; i++) {
                        char c = text.charAt(i);
                        if (c > 0xff) {
                            throw fail("_codecs.encode: character outside latin1");
                        }
                        out[i] = (byte) c;
                    }
                    return out;
                case "utf-8", "utf8":
                    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                default:
                    break;
            }
        }
        throw fail("_codecs.encode called with unsupported arguments");
    }
}
