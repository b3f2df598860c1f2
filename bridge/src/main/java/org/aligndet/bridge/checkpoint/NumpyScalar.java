package org.aligndet.bridge.checkpoint;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.aligndet.bridge.tensor.Half;

/**
 * Decodes {@code numpy.core.multiarray.scalar(dtype, bytes)}, how numpy pickles a scalar such as
 * {@code np.float64(0.5)}: floats become {@link Double}, integers {@link Long} (a uint64 beyond
 * the long range a {@link BigInteger}), {@code bool_} a {@link Boolean}. Any other dtype is kept
 * as an {@link OpaqueValue}.
 */
final class NumpyScalar {
    private NumpyScalar() {
    }

    static Object decode(String source, List<Object> args) throws CheckpointFormatException {
        if (args.size() != 2 || !(args.get(0) instanceof OpaqueValue dtype) || !"numpy.dtype".equals(dtype.global())
                || dtype.args().isEmpty() || !(dtype.args().get(0) instanceof String code)
                || !(args.get(1) instanceof byte[] raw)) {
            return new OpaqueValue("numpy.core.multiarray.scalar", args);
        }
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (dtype.state() instanceof PickleTuple st && st.size() > 1 && ">".equals(st.get(1))) {
            order = ByteOrder.BIG_ENDIAN;
        }
        String c = code.replaceFirst("^[<>=|]", "");
        int width = switch (c) {
            case "f8", "i8", "u8" -> 8;
            case "f4", "i4", "u4" -> 4;
            case "f2", "i2", "u2" -> 2;
            case "i1", "u1", "b1" -> 1;
            default -> -1;
        };
        if (width < 0) {
            return new OpaqueValue("numpy.core.multiarray.scalar", args);
        }
        if (raw.length != width) {
            throw new CheckpointFormatException(source + ": numpy scalar of dtype " + code + " has "
                    + raw.length + " bytes, expected " + width);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(order);
        return switch (c) {
            case "f8" -> b.getDouble();
            case "f4" -> (double) b.getFloat();
            case "f2" -> (double) Half.toFloat(b.getShort());
            case "i8" -> b.getLong();
            case "i4" -> (long) b.getInt();
            case "i2" -> (long) b.getShort();
            case "i1" -> (long) b.get();
            case "u8" -> {
                long v = b.getLong();
                yield v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
            }
            case "u4" -> b.getInt() & 0xffffffffL;
            case "u2" -> (long) (b.getShort() & 0xffff);
            case "u1" -> (long) (b.get() & 0xff);
            default -> b.get() != 0;
        };
    }
}
