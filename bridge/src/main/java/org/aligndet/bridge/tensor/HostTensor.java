package org.aligndet.bridge.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense tensor in host memory: element type, shape, and its elements in C (row-major) order,
 * little-endian. This is the exchange type between checkpoints, ONNX initializers and DJL arrays.
 * Instances are immutable: the byte array is copied in and never handed out.
 */
public final class HostTensor {
    private final DType dtype;
    private final long[] shape;
    private final byte[] data;

    /**
     * @param dtype element type
     * @param shape dimensions, each {@code >= 0}; an empty array is a scalar
     * @param data  exactly {@code numel(shape) * dtype.bytes()} bytes, row-major, little-endian
     */
    public HostTensor(DType dtype, long[] shape, byte[] data) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        long n = numel(this.shape);
        if (n * dtype.bytes() != data.length) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and dtype "
                    + dtype.shortName() + " needs " + n * dtype.bytes() + " bytes, got " + data.length);
        }
        this.data = data.clone();
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public static HostTensor ofFloats(long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new HostTensor(DType.FLOAT32, shape, b.array());
    }

    public static HostTensor ofLongs(long[] shape, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new HostTensor(DType.INT64, shape, b.array());
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return numel(shape);
    }

    /** A copy of the raw little-endian bytes. */
    public byte[] bytes() {
        return data.clone();
    }

    /** A read-only little-endian view of the bytes, without copying. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The elements converted to float32 (any numeric or bool type; float16/bfloat16 widened exactly). */
    public float[] toFloats() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        ByteBuffer b = buffer();
        for (int i = 0; i < n; i++) {
            out[i] = (float) readDouble(b, i);
        }
        return out;
    }

    /** The elements converted to int64; floating values are truncated toward zero. */
    public long[] toLongs() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        ByteBuffer b = buffer();
        for (int i = 0; i < n; i++) {
            out[i] = dtype == DType.INT64 ? b.getLong(i * 8) : (long) readDouble(b, i);
        }
        return out;
    }

    private double readDouble(ByteBuffer b, int i) {
        switch (dtype) {
            case FLOAT32: return b.getFloat(i * 4);
            case FLOAT64: return b.getDouble(i * 8);
            case FLOAT16: return Half.toFloat(b.getShort(i * 2));
            case BFLOAT16: return Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            case INT64: return b.getLong(i * 8);
            case INT32: return b.getInt(i * 4);
            case INT16: return b.getShort(i * 2);
            case INT8: return b.get(i);
            case UINT8: return b.get(i) & 0xff;
            case BOOL: return b.get(i) != 0 ? 1 : 0;
            default: throw new IllegalStateException(dtype.toString());
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HostTensor)) {
            return false;
        }
        HostTensor t = (HostTensor) o;
        return dtype == t.dtype && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "HostTensor(" + dtype.shortName() + Arrays.toString(shape) + ")";
    }
}
