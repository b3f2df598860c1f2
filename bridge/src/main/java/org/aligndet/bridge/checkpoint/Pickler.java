package org.aligndet.bridge.checkpoint;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * Writes a value tree as a protocol-2 pickle the way {@code torch.save} does: tensors become
 * {@code torch._utils._rebuild_tensor_v2} calls over persistent ids
 * {@code ('storage', torch.<Type>Storage, key, 'cpu', numel)}, and the storage bytes are
 * collected in {@link #storages()} for the caller to put in {@code data/<key>}.
 *
 * <p>Accepted values: {@code null}, {@link Boolean}, {@link Integer}/{@link Long}/{@link Short}/
 * {@link Byte}/{@link BigInteger}, {@link Double}/{@link Float}, {@link String}, {@code byte[]},
 * {@link HostTensor}, {@link List}, {@link PickleTuple}, {@link Set}, {@link Map}. A
 * {@link PickleOrderedDict}, and any non-empty map from strings to tensors, is written as a
 * {@code collections.OrderedDict} (with its attributes, e.g. {@code _metadata}); other maps as
 * dicts. Anything else throws {@link IllegalArgumentException}.
 */
final class Pickler {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> globals = new HashMap<>();
    private final IdentityHashMap<HostTensor, String> tensorKeys = new IdentityHashMap<>();
    private final LinkedHashMap<String, byte[]> storages = new LinkedHashMap<>();
    private int memo;

    /** Pickles {@code root}; returns the pickle bytes. */
    byte[] dump(Object root) {
        out.write(0x80);
        out.write(2);
        write(root, 0);
        out.write('.');
        return out.toByteArray();
    }

    /** Storage key → little-endian bytes, in the order the pickle first names them. */
    Map<String, byte[]> storages() {
        return storages;
    }

    private void write(Object v, int depth) {
        if (depth > NestingCheck.MAX_DEPTH) {
            throw new IllegalArgumentException("value nested deeper than " + NestingCheck.MAX_DEPTH
                    + " levels (or containing itself)");
        }
        if (v == null) {
            out.write('N');
        } else if (v instanceof Boolean b) {
            out.write(b ? 0x88 : 0x89);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            writeInt(((Number) v).longValue());
        } else if (v instanceof BigInteger b) {
            writeBig(b);
        } else if (v instanceof Double || v instanceof Float) {
            out.write('G');
            long bits = Double.doubleToLongBits(((Number) v).doubleValue());
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bits >>> (8 * i)));
            }
        } else if (v instanceof String s) {
            writeString(s);
        } else if (v instanceof byte[] b) {
            writeBytes(b);
        } else if (v instanceof HostTensor t) {
            writeTensor(t);
        } else if (v instanceof PickleTuple t) {
            writeTuple(t.items(), depth);
        } else if (v instanceof List<?> l) {
            out.write(']');
            writeBatched(l.iterator(), false, 'e', depth);
        } else if (v instanceof Set<?> s) {
            writeGlobal("builtins", "set");
            out.write(']');
            writeBatched(s.iterator(), false, 'e', depth);
            out.write(0x85);
            out.write('R');
        } else if (v instanceof Map<?, ?> m) {
            writeMap(m, depth);
        } else {
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " into a checkpoint");
        }
    }

    private void writeInt(long x) {
        if (x >= 0 && x < 0x100) {
            out.write('K');
            out.write((int) x);
        } else if (x >= 0 && x < 0x10000) {
            out.write('M');
            out.write((int) x);
            out.write((int) (x >> 8));
        } else if (x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE) {
            out.write('J');
            littleEndian(x, 4);
        } else {
            writeBig(BigInteger.valueOf(x));
        }
    }

    private void writeBig(BigInteger b) {
        if (b.bitLength() < 32) {
            writeInt(b.longValue());
            return;
        }
        byte[] be = b.toByteArray();
        int n = be.length;
        if (n < 256) {
            out.write(0x8a);
            out.write(n);
        } else {
            out.write(0x8b);
            littleEndian(n, 4);
        }
        for (int i = n - 1; i >= 0; i--) {
            out.write(be[i]);
        }
    }

    private void littleEndian(long x, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (x >>> (8 * i)));
        }
    }

    private void writeString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        littleEndian(b.length, 4);
        out.writeBytes(b);
    }

    /** Protocol 2 has no bytes opcode; Python writes {@code _codecs.encode(text, 'latin1')}. */
    private void writeBytes(byte[] b) {
        writeGlobal("_codecs", "encode");
        char[] latin1 = new char[b.length];
        for (int i = 0; i < b.length; i++) {
            latin1[i] = (char) (b[i] & 0xff);
        }
        writeString(new String(latin1));
        writeString("latin1");
        out.write(0x86);
        out.write('R');
    }

    private void writeGlobal(String module, String name) {
        String key = module + "\n" + name + "\n";
        Integer idx = globals.get(key);
        if (idx != null) {
            memoGet(idx);
            return;
        }
        out.write('c');
        out.writeBytes(key.getBytes(StandardCharsets.UTF_8));
        globals.put(key, memoPut());
    }

    private int memoPut() {
        int idx = memo++;
        out.write('r');
        littleEndian(idx, 4);
        return idx;
    }

    private void memoGet(int idx) {
        out.write('j');
        littleEndian(idx, 4);
    }

    private void writeTuple(List<?> items, int depth) {
        if (items.isEmpty()) {
            out.write(')');
            return;
        }
        if (items.size() > 3) {
            out.write('(');
        }
        for (Object item : items) {
            write(item, depth + 1);
        }
        out.write(items.size() > 3 ? 't' : 0x84 + items.size());
    }

    /** MARK, up to 1000 items (pairs when {@code pairs}), then the batch opcode; repeated. */
    private void writeBatched(Iterator<?> it, boolean pairs, int opcode, int depth) {
        while (it.hasNext()) {
            out.write('(');
            for (int n = 0; n < 1000 && it.hasNext(); n++) {
                Object item = it.next();
                if (pairs) {
                    Map.Entry<?, ?> e = (Map.Entry<?, ?>) item;
                    write(e.getKey(), depth + 1);
                    write(e.getValue(), depth + 1);
                } else {
                    write(item, depth + 1);
                }
            }
            out.write(opcode);
        }
    }

    private void writeMap(Map<?, ?> m, int depth) {
        boolean ordered = m instanceof PickleOrderedDict || isTensorMap(m);
        if (ordered) {
            writeGlobal("collections", "OrderedDict");
            out.write(')');
            out.write('R');
        } else {
            out.write('}');
        }
        writeBatched(m.entrySet().iterator(), true, 'u', depth);
        if (m instanceof PickleOrderedDict d && !d.attributes().isEmpty()) {
            out.write('}');
            writeBatched(d.attributes().entrySet().iterator(), true, 'u', depth);
            out.write('b');
        }
    }

    private static boolean isTensorMap(Map<?, ?> m) {
        if (m.isEmpty()) {
            return false;
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof HostTensor)) {
                return false;
            }
        }
        return true;
    }

    private void writeTensor(HostTensor t) {
        String key = tensorKeys.get(t);
        if (key == null) {
            key = Integer.toString(tensorKeys.size());
            tensorKeys.put(t, key);
            storages.put(key, t.bytes());
        }
        long[] shape = t.shape();
        writeGlobal("torch._utils", "_rebuild_tensor_v2");
        out.write('(');
        out.write('(');
        writeString("storage");
        writeGlobal("torch", t.dtype().torchStorage());
        writeString(key);
        writeString("cpu");
        writeInt(t.numel());
        out.write('t');
        out.write('Q');
        writeInt(0);
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= Math.max(shape[i], 1);
        }
        writeLongTuple(shape);
        writeLongTuple(stride);
        out.write(0x89);
        writeGlobal("collections", "OrderedDict");
        out.write(')');
        out.write('R');
        out.write('t');
        out.write('R');
    }

    private void writeLongTuple(long[] values) {
        out.write('(');
        for (long v : values) {
            writeInt(v);
        }
        out.write('t');
    }
}
