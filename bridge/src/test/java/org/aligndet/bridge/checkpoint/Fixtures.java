package org.aligndet.bridge.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.Half;
import org.aligndet.bridge.tensor.HostTensor;

/** Test helpers: where the checkpoint fixtures are, and values in the form expected.json uses. */
final class Fixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    /** The repository root: system property {@code aligndet.root}, else the first parent with model-specs/. */
    static Path root() {
        String prop = System.getProperty("aligndet.root");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Paths.get(prop, "model-specs"))) {
            return Paths.get(prop);
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("model-specs"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find model-specs/ above " + Paths.get("").toAbsolutePath());
    }

    static Path dir() {
        return root().resolve("model-specs/fixtures/checkpoints");
    }

    static Path file(String name) {
        return dir().resolve(name);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(Path p) throws IOException {
        return (Map<String, Object>) plain(JSON.readValue(p.toFile(), Map.class));
    }

    /** One tensor as expected.json describes it: dtype, shape, flat values. */
    static Map<String, Object> describe(HostTensor t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dtype", t.dtype().shortName());
        List<Object> shape = new ArrayList<>();
        for (long d : t.shape()) {
            shape.add(d);
        }
        m.put("shape", shape);
        m.put("values", values(t));
        return m;
    }

    static List<Object> values(HostTensor t) {
        ByteBuffer b = t.buffer();
        List<Object> out = new ArrayList<>();
        int n = Math.toIntExact(t.numel());
        for (int i = 0; i < n; i++) {
            DType d = t.dtype();
            out.add(switch (d) {
                case FLOAT32 -> (double) b.getFloat(i * 4);
                case FLOAT64 -> b.getDouble(i * 8);
                case FLOAT16 -> (double) Half.toFloat(b.getShort(i * 2));
                case BFLOAT16 -> (double) Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                case INT64 -> b.getLong(i * 8);
                case INT32 -> (long) b.getInt(i * 4);
                case INT16 -> (long) b.getShort(i * 2);
                case INT8 -> (long) b.get(i);
                case UINT8 -> (long) (b.get(i) & 0xff);
                case BOOL -> b.get(i) != 0;
            });
        }
        return out;
    }

    /** Normalizes a value tree: tuples to lists, integers to Long, floats to Double, keys to strings. */
    static Object plain(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), plain(x)));
            return out;
        }
        if (v instanceof PickleTuple t) {
            return plain(t.items());
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(plain(x)));
            return out;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b && b.bitLength() < 64) {
            return b.longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        return v;
    }
}
