package org.aligndet.bridge.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;

/** Conversions between {@link HostTensor} and DJL arrays. Both directions copy. */
public final class NdTensors {
    private NdTensors() {
    }

    public static DataType toDjl(DType t) {
        switch (t) {
            case FLOAT32: return DataType.FLOAT32;
            case FLOAT64: return DataType.FLOAT64;
            case FLOAT16: return DataType.FLOAT16;
            case BFLOAT16: return DataType.BFLOAT16;
            case INT64: return DataType.INT64;
            case INT32: return DataType.INT32;
            case INT8: return DataType.INT8;
            case UINT8: return DataType.UINT8;
            case BOOL: return DataType.BOOLEAN;
            default: throw new IllegalArgumentException("no DJL type for " + t);
        }
    }

    public static DType fromDjl(DataType t) {
        switch (t) {
            case FLOAT32: return DType.FLOAT32;
            case FLOAT64: return DType.FLOAT64;
            case FLOAT16: return DType.FLOAT16;
            case BFLOAT16: return DType.BFLOAT16;
            case INT64: return DType.INT64;
            case INT32: return DType.INT32;
            case INT8: return DType.INT8;
            case UINT8: return DType.UINT8;
            case BOOLEAN: return DType.BOOL;
            default: throw new IllegalArgumentException("no host type for DJL " + t);
        }
    }

    /**
     * An index array in memory libtorch owns. On the CPU, DJL's {@code create} wraps the Java direct
     * buffer it fills ({@code from_blob}) and keeps it alive only through the Java array object: once
     * that array is closed or unreachable the buffer may be collected and its memory reused while
     * libtorch still holds the tensor (autograd saves index tensors for backward). A clone has its own
     * storage: use this for any array that may outlive its Java handle.
     */
    public static NDArray ownedIndex(NDManager manager, long[] values) {
        return ownedIndex(manager, values, values.length);
    }

    /** {@link #ownedIndex(NDManager, long[])} of the first {@code length} values (a buffer reused by the caller). */
    public static NDArray ownedIndex(NDManager manager, long[] values, int length) {
        if (length < 0 || length > values.length) {
            throw new IllegalArgumentException("length " + length + " outside [0, " + values.length + "]");
        }
        if (length == 0) {
            try (NDArray blob = manager.create(new long[0])) {
                return blob.duplicate();
            }
        }
        // through the thread's staging buffer, like floats(): no Java direct buffer per index left for the collector
        ByteBuffer view = staging(Math.multiplyExact(length, Long.BYTES));
        view.asLongBuffer().put(values, 0, length);
        return owned(manager, view, new Shape(length), DataType.INT64);
    }

    /** Per thread, the direct buffer values are staged in on their way to libtorch; grown to the largest asked for. */
    private static final ThreadLocal<ByteBuffer> STAGING = new ThreadLocal<>();

    /** The first {@code bytes} of this thread's staging buffer (grown as needed), in native order. */
    private static ByteBuffer staging(int bytes) {
        ByteBuffer staging = STAGING.get();
        if (staging == null || staging.capacity() < bytes) {
            staging = ByteBuffer.allocateDirect(bytes);
            STAGING.set(staging);
        }
        return staging.slice(0, bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * A float array on the manager's device, in storage libtorch owns and frees when the array is
     * closed. DJL's {@code create(float[], Shape)} copies into a fresh Java direct buffer and, on the
     * CPU, wraps it ({@code from_blob}): that memory returns to the allocator only when the garbage
     * collector gets to the buffer, so a training loop handing over a batch per step grows its native
     * memory by the batch size every step until a collection runs, and faults in fresh pages for each.
     * Here the values go through one reused direct buffer per thread and are cloned into libtorch's
     * own storage (one extra copy, a few milliseconds for a batch of 800-pixel images); on a GPU the
     * transfer already copies.
     */
    public static NDArray floats(NDManager manager, float[] values, Shape shape) {
        if (shape.size() != values.length) {
            throw new IllegalArgumentException(values.length + " floats do not fill shape " + shape);
        }
        ByteBuffer view = staging(Math.multiplyExact(values.length, Float.BYTES));
        view.asFloatBuffer().put(values);
        return owned(manager, view, shape, DataType.FLOAT32);
    }

    /**
     * The staged values as an array in libtorch's own storage: on the CPU a clone of the array that
     * wraps the staging buffer, on a GPU the transfer (which copies already).
     */
    private static NDArray owned(NDManager manager, ByteBuffer staged, Shape shape, DataType type) {
        if (manager.getDevice().isGpu()) {
            return manager.create(staged, shape, type);
        }
        try (NDArray alias = manager.create(staged, shape, type)) {
            return alias.duplicate();
        }
    }

    /** A new array on the manager's device holding the tensor's values. */
    public static NDArray toNd(NDManager manager, HostTensor t) {
        ByteBuffer b = ByteBuffer.allocateDirect(t.bytes().length).order(ByteOrder.nativeOrder());
        b.put(t.buffer());
        b.rewind();
        return manager.create(b, new Shape(t.shape()), toDjl(t.dtype()));
    }

    /** The array's values in host memory (copied off the device if needed). */
    public static HostTensor toHost(NDArray a) {
        ByteBuffer b = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new HostTensor(fromDjl(a.getDataType()), a.getShape().getShape(), bytes);
    }

    /**
     * Overwrites {@code target} in place with {@code value} (same dtype and shape), without recording
     * autograd history: the way to load weights into a graph's parameters. The values go through the
     * thread's staging buffer into the tensor's own storage. DJL's {@code set(Buffer)} is not used: on
     * the CPU it makes the tensor wrap the direct buffer it is given ({@code set_} on a
     * {@code from_blob}), so every loaded parameter would move into Java-managed direct memory while
     * its own libtorch storage went back to the allocator, a second copy of the weights in the
     * process (about 330 MB for an R50 detector and its momentum copy).
     */
    public static void copyInto(NDArray target, HostTensor value) {
        long want = target.getShape().size() * target.getDataType().getNumOfBytes();
        if (value.bytes().length != want || toDjl(value.dtype()) != target.getDataType()) {
            throw new IllegalArgumentException("cannot copy " + value.dtype() + " " + Arrays.toString(value.shape())
                    + " into " + target.getDataType() + " " + target.getShape());
        }
        ByteBuffer view = staging(value.bytes().length);
        view.put(value.buffer());
        view.rewind();
        try (NDArray alias = target.getManager().create(view, target.getShape(), target.getDataType())) {
            assign(target, alias);
        }
    }

    /**
     * {@code target[...] = source} in place (same shape and device), without autograd: the target keeps
     * its own storage.
     */
    public static void assign(NDArray target, NDArray source) {
        try (GradMode g = GradMode.off()) {
            target.set(ALL, source);
        }
    }

    private static final NDIndex ALL = new NDIndex("...");
}
