package org.aligndet.bridge.checkpoint;

import java.util.Arrays;
import java.util.List;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * What {@code torch._utils._rebuild_tensor_v2} means here: copy the elements a strided view
 * selects out of its storage into a dense row-major {@link HostTensor}. Views may be
 * non-contiguous (transposed, stepped, stride 0), offset, 0-dimensional or empty. The view is
 * checked to lie inside the storage, with overflow-safe arithmetic, before any byte is read.
 */
final class TensorRebuild {
    static final int MAX_DIMS = 64;
    /** Largest tensor a Java byte array can hold. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private TensorRebuild() {
    }

    static HostTensor rebuild(String source, Object storage, Object offset, Object size, Object stride)
            throws CheckpointFormatException {
        if (!(storage instanceof StorageRef s)) {
            throw fail(source, "tensor storage is a " + Unpickler.typeName(storage) + ", not a storage");
        }
        long off = nonNegative(source, offset, "storage offset");
        long[] shape = dims(source, size, "size");
        long[] strides = dims(source, stride, "stride");
        if (shape.length != strides.length) {
            throw fail(source, "tensor size " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(strides) + " differ in length");
        }
        long numel;
        long last = off;
        try {
            numel = HostTensor.numel(shape);
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, strides[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw fail(source, "tensor view of size " + Arrays.toString(shape) + " overflows");
        }
        int width = s.dtype().bytes();
        if (numel > MAX_BYTES / width) {
            throw fail(source, "tensor of size " + Arrays.toString(shape) + " exceeds the "
                    + MAX_BYTES + "-byte limit of one host tensor");
        }
        if (numel > 0 && last >= s.numel()) {
            throw fail(source, "tensor view (offset " + off + ", size " + Arrays.toString(shape)
                    + ", stride " + Arrays.toString(strides) + ") reaches element " + last
                    + ", which exceeds " + s + " (out of range)");
        }
        byte[] out = new byte[(int) (numel * width)];
        if (numel > 0) {
            copy(s.bytes(), off, shape, strides, width, out);
        }
        return new HostTensor(s.dtype(), shape, out);
    }

    private static void copy(byte[] src, long off, long[] shape, long[] strides, int width, byte[] out) {
        int nd = shape.length;
        // innermost run: contiguous when its stride is 1
        long inner = nd == 0 ? 1 : shape[nd - 1];
        long innerStride = nd == 0 ? 1 : strides[nd - 1];
        long[] index = new long[Math.max(nd - 1, 0)];
        long rows = out.length / width / inner;
        int o = 0;
        for (long r = 0; r < rows; r++) {
            long base = off;
            for (int d = 0; d < index.length; d++) {
                base += index[d] * strides[d];
            }
            if (innerStride == 1) {
                int n = (int) (inner * width);
                System.arraycopy(src, (int) (base * width), out, o, n);
                o += n;
            } else {
                for (long j = 0; j < inner; j++) {
                    System.arraycopy(src, (int) ((base + j * innerStride) * width), out, o, width);
                    o += width;
                }
            }
            for (int d = index.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
    }

    private static long[] dims(String source, Object value, String what) throws CheckpointFormatException {
        List<?> items;
        if (value instanceof PickleTuple t) {
            items = t.items();
        } else if (value instanceof List<?> l) {
            items = l;
        } else {
            throw fail(source, "tensor " + what + " is a " + Unpickler.typeName(value) + ", not a tuple");
        }
        if (items.size() > MAX_DIMS) {
            throw fail(source, "tensor " + what + " has " + items.size() + " dimensions (at most " + MAX_DIMS + ")");
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegative(source, items.get(i), "tensor " + what);
        }
        return out;
    }

    private static long nonNegative(String source, Object v, String what) throws CheckpointFormatException {
        if (v instanceof Long l && l >= 0) {
            return l;
        }
        throw fail(source, what + " must be a non-negative int, got " + v);
    }

    private static CheckpointFormatException fail(String source, String message) {
        return new CheckpointFormatException(source + ": " + message);
    }
}
