package org.aligndet.bridge.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * An open ONNX Runtime session plus a {@link HostTensor} in / out run helper. Created by
 * {@link OrtSessions}; close it to free the native session.
 */
public final class OnnxSession implements AutoCloseable {
    private final OrtSession session;
    private final String name;
    private final String provider;

    OnnxSession(OrtSession session, String name, String provider) {
        this.session = session;
        this.name = name;
        this.provider = provider;
    }

    /** The underlying session, for anything the helper does not cover. Do not close it separately. */
    public OrtSession session() {
        return session;
    }

    /** The model file or source name. */
    public String name() {
        return name;
    }

    /** {@code CUDA} or {@code CPU}: the provider this session was created with. */
    public String provider() {
        return provider;
    }

    public List<String> inputNames() {
        return new ArrayList<>(session.getInputNames());
    }

    public List<String> outputNames() {
        return new ArrayList<>(session.getOutputNames());
    }

    /**
     * Runs the model. Inputs are copied into direct buffers (float32 through a {@link FloatBuffer},
     * other types as raw bytes); every output must be a tensor of a {@link DType}.
     *
     * @param inputs values by graph input name
     * @return every graph output by name, in the model's output order
     * @throws OnnxFormatException naming the model when ONNX Runtime rejects the inputs or an
     *                             output cannot be represented as a {@link HostTensor}
     */
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
        var env = OrtSessions.environment();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
                feeds.put(e.getKey(), toOrt(env, e.getValue()));
            }
            try (OrtSession.Result result = session.run(feeds)) {
                Map<String, HostTensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.put(e.getKey(), fromOrt(e.getKey(), e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new OnnxFormatException(name, "run failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor toOrt(ai.onnxruntime.OrtEnvironment env, HostTensor t) throws OrtException {
        long[] shape = t.shape();
        ByteBuffer src = t.buffer();
        ByteBuffer direct = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
        if (t.dtype() == DType.FLOAT32) {
            FloatBuffer f = direct.asFloatBuffer();
            f.put(src.asFloatBuffer());
            f.rewind();
            return OnnxTensor.createTensor(env, f, shape);
        }
        direct.put(src).rewind(); // little-endian bytes; ONNX Runtime reads native order (x86/ARM: LE)
        return OnnxTensor.createTensor(env, direct, shape, javaType(t.dtype()));
    }

    private static OnnxJavaType javaType(DType d) {
        switch (d) {
            case FLOAT32: return OnnxJavaType.FLOAT;
            case FLOAT64: return OnnxJavaType.DOUBLE;
            case FLOAT16: return OnnxJavaType.FLOAT16;
            case BFLOAT16: return OnnxJavaType.BFLOAT16;
            case INT64: return OnnxJavaType.INT64;
            case INT32: return OnnxJavaType.INT32;
            case INT16: return OnnxJavaType.INT16;
            case INT8: return OnnxJavaType.INT8;
            case UINT8: return OnnxJavaType.UINT8;
            case BOOL: return OnnxJavaType.BOOL;
            default: throw new IllegalArgumentException(d.toString());
        }
    }

    private static DType fromJavaType(OnnxJavaType t) {
        for (DType d : DType.values()) {
            if (javaType(d) == t) {
                return d;
            }
        }
        return null;
    }

    private HostTensor fromOrt(String output, OnnxValue v) {
        if (!(v instanceof OnnxTensor)) {
            throw new OnnxFormatException(name, "output '" + output + "' is a " + v.getType() + ", not a tensor");
        }
        OnnxTensor t = (OnnxTensor) v;
        TensorInfo info = t.getInfo();
        // Not info.onnxType.value: the Java enum numbers its constants its own way (FLOAT is 10
        // there, FLOAT16 in ONNX), so map through the Java type, the inverse of javaType().
        DType dtype = fromJavaType(info.type);
        if (dtype == null) {
            throw new OnnxFormatException(name, "output '" + output + "' has element type " + info.onnxType
                    + ", which this project does not handle");
        }
        ByteBuffer b = t.getByteBuffer();
        byte[] bytes;
        if (b == null) {
            bytes = new byte[0];
        } else {
            b.order(ByteOrder.nativeOrder());
            bytes = new byte[b.remaining()];
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || dtype.bytes() == 1) {
                b.get(bytes);
            } else {
                throw new UnsupportedOperationException("big-endian hosts are not supported");
            }
        }
        return new HostTensor(dtype, info.getShape(), bytes);
    }

    /** Ends ONNX Runtime's profiling of this session (see {@link OrtSessions#profileTo}); the profile file written. */
    public java.nio.file.Path endProfiling() {
        try {
            return java.nio.file.Path.of(session.endProfiling());
        } catch (ai.onnxruntime.OrtException e) {
            throw new OnnxFormatException(name, "could not end profiling: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing ONNX Runtime session for " + name, e);
        }
    }
}
