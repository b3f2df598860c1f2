package org.aligndet.bridge.checkpoint;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.io.AtomicFiles;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * Reads and writes PyTorch checkpoints in the zip format {@code torch.save} has written since
 * torch 1.6: {@code <top>/data.pkl} (a pickle), {@code <top>/data/<key>} (raw little-endian storage
 * bytes), {@code <top>/version}.
 *
 * <p><b>Reading is safe.</b> The pickle is interpreted by a pickle machine that executes nothing:
 * only a whitelist of globals is honoured (tensors and parameters, storage classes and dtypes,
 * {@code collections.OrderedDict}, {@code torch.Size}, sets, numpy scalars and dtypes, and
 * {@code _codecs.encode}); any other global, by whichever opcode it arrives, fails with a
 * {@link CheckpointFormatException} naming the file and the global. Unsafe zip entry names,
 * truncated files, storages that claim more elements than their data holds and views outside
 * their storage fail the same way, before any large allocation. Values come back as plain Java
 * objects (see {@link Unpickler}): dicts as {@link LinkedHashMap} (an {@code OrderedDict} as
 * {@link PickleOrderedDict}), lists, {@link PickleTuple}s, {@code Long}, {@code Double},
 * {@code String}, {@code Boolean}, {@code null}, {@code byte[]}, and tensors as dense
 * {@link HostTensor}s (views are copied out of their storage).
 *
 * <p><b>Legacy format: refused.</b> Files written by torch &lt; 1.6 (or with
 * {@code _use_new_zipfile_serialization=False}) are a bare sequence of pickles starting with the
 * magic number {@code 0x1950a86a20f9469cfc6c}. They are detected and refused with a message that
 * says how to convert them ({@code torch.save(torch.load(f), f2)} under torch &gt;= 1.6); every
 * checkpoint this project meets (mmdetection/AlignDet releases) is in the zip format.
 *
 * <p><b>Writing</b> produces what {@code torch.save} produces (pickle protocol 2, storages as
 * persistent ids, 64-byte aligned stored entries), atomically: a temporary file in the target
 * directory is moved over the target.
 */
public final class TorchCheckpoint {
    /** The bytes a legacy checkpoint starts with: PROTO 2, LONG1 of 10 bytes, the magic number. */
    private static final byte[] LEGACY_MAGIC = {
        (byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
        (byte) 0xa8, 0x50, 0x19};

    private TorchCheckpoint() {
    }

    /**
     * Reads a checkpoint and returns its top-level object (for mmdetection checkpoints a dict with
     * {@code state_dict} and {@code meta}).
     *
     * @throws CheckpointFormatException if the file is not a readable, safe torch checkpoint
     * @throws IOException               if the file cannot be read at all
     */
    public static Object read(Path file) throws IOException {
        return read(file, false);
    }

    /**
     * What {@link #readForImport} returns: the top-level object, and every {@link Placeholder} in it
     * by where it sits ({@code message_hub.log_scalars['train/loss']}) and the global it stands for.
     */
    public record ForeignRead(Object root, Map<String, String> placeholders) {
    }

    /**
     * Reads a checkpoint written by another framework for import: as {@link #read}, except that
     * objects of classes outside the whitelist (mmengine's {@code HistoryBuffer}, an
     * {@code argparse.Namespace}, foreign optimiser objects) become inert {@link Placeholder}s, listed
     * by path. Globals of modules that run code stay refused (see {@link TorchGlobals#NEVER}); nothing
     * is executed.
     */
    public static ForeignRead readForImport(Path file) throws IOException {
        Object root = read(file, true);
        Map<String, String> found = new LinkedHashMap<>();
        findPlaceholders(root, "", found, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        return new ForeignRead(root, found);
    }

    private static void findPlaceholders(Object v, String path, Map<String, String> found, java.util.Set<Object> seen) {
        if (v == null || v instanceof HostTensor || v instanceof String || v instanceof Number || !seen.add(v)) {
            return;
        }
        if (v instanceof Placeholder p) {
            found.put(path.isEmpty() ? "(root)" : path, p.global());
            return;
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = e.getKey() instanceof String s && s.matches("[A-Za-z_][A-Za-z0-9_]*")
                        ? (path.isEmpty() ? s : path + "." + s) : path + "[" + repr(e.getKey()) + "]";
                findPlaceholders(e.getValue(), k, found, seen);
            }
        } else if (v instanceof PickleTuple t) {
            for (int i = 0; i < t.size(); i++) {
                findPlaceholders(t.get(i), path + "[" + i + "]", found, seen);
            }
        } else if (v instanceof java.util.List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                findPlaceholders(l.get(i), path + "[" + i + "]", found, seen);
            }
        } else if (v instanceof OpaqueValue o) {
            findPlaceholders(o.args(), path, found, seen);
        }
    }

    private static String repr(Object key) {
        return key instanceof String s ? "'" + s + "'" : String.valueOf(key);
    }

    private static Object read(Path file, boolean placeholders) throws IOException {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new CheckpointFormatException(source + ": is a directory, not a checkpoint file");
        }
        checkHeader(file, source);
        try (CheckpointArchive archive = CheckpointArchive.open(file, source)) {
            Object root = new Unpickler(source, archive.pickle(), new TorchGlobals(source, archive, placeholders)).load();
            NestingCheck.check(source, root);
            return root;
        } catch (StackOverflowError e) {
            throw new CheckpointFormatException(source + ": structure nested too deeply to read");
        }
    }

    /** Reads a checkpoint and returns its state dict, see {@link #stateDict(Object)}. */
    public static Map<String, HostTensor> readStateDict(Path file) throws IOException {
        Object root = read(file);
        try {
            return stateDict(root);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The state dict in an unpickled checkpoint: the map under {@code "state_dict"} when the root
     * is a dict that has one (mmdetection layout), else the root itself. Keys keep their order.
     *
     * @throws IllegalArgumentException if that map has a non-string key or a non-tensor value
     */
    public static Map<String, HostTensor> stateDict(Object root) {
        Object sd = root;
        if (root instanceof Map<?, ?> m && m.get("state_dict") instanceof Map<?, ?> inner) {
            sd = inner;
        }
        if (!(sd instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("checkpoint holds a " + Unpickler.typeName(root) + ", not a state dict");
        }
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key) || !(e.getValue() instanceof HostTensor t)) {
                throw new IllegalArgumentException("state dict entry '" + e.getKey() + "' is a "
                        + Unpickler.typeName(e.getValue()) + ", not a tensor");
            }
            out.put(key, t);
        }
        return out;
    }

    /**
     * Writes {@code root} as a torch checkpoint that {@code torch.load} reads. See {@link Pickler}
     * for the values accepted; a map from strings to tensors becomes an {@code OrderedDict}.
     *
     * @throws IllegalArgumentException if {@code root} contains a value that cannot be written
     */
    public static void write(Path file, Object root) throws IOException {
        Pickler pickler = new Pickler();
        byte[] pickle = pickler.dump(root);
        AtomicFiles.write(file, out -> {
            try (TorchZipWriter zip = new TorchZipWriter(new BufferedOutputStream(out, 1 << 16))) {
                zip.add("archive/data.pkl", pickle);
                for (Map.Entry<String, byte[]> s : pickler.storages().entrySet()) {
                    zip.add("archive/data/" + s.getKey(), s.getValue());
                }
                zip.add("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
                zip.add("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
                zip.finish();
            }
        });
    }

    private static void checkHeader(Path file, String source) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(LEGACY_MAGIC.length);
        }
        if (head.length == LEGACY_MAGIC.length && java.util.Arrays.equals(head, LEGACY_MAGIC)) {
            throw new CheckpointFormatException(source + ": legacy (pre-1.6) torch.save format is not supported;"
                    + " re-save it with torch>=1.6: torch.save(torch.load(f), f2)");
        }
        if (head.length < 4 || head[0] != 'P' || head[1] != 'K') {
            throw new CheckpointFormatException(source + ": not a torch checkpoint (neither a zip archive nor"
                    + " the legacy format)" + (head.length < 4 ? "; the file is truncated or empty" : ""));
        }
    }
}
