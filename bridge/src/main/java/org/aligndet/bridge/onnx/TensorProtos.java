package org.aligndet.bridge.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorProto;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * Conversions between ONNX {@code TensorProto} and {@link HostTensor}.
 *
 * <p>Reading accepts elements in {@code raw_data} (little-endian) or in the typed repeated field
 * ONNX assigns to the type: {@code float_data} for float32, {@code double_data} for float64,
 * {@code int64_data} for int64, and {@code int32_data} for int32, int16, int8, uint8, bool,
 * float16 and bfloat16 (the last two as their 16-bit patterns). Writing always uses
 * {@code raw_data} and clears the typed fields.
 */
public final class TensorProtos {
    private TensorProtos() {
    }

    /** ONNX's name for a data-type code: the DType short name where there is one, else the enum name. */
    public static String typeName(int onnxCode) {
        DType t = DType.fromOnnxCode(onnxCode);
        if (t != null) {
            return t.shortName();
        }
        TensorProto.DataType d = TensorProto.DataType.forNumber(onnxCode);
        return d != null ? d.name().toLowerCase(java.util.Locale.ROOT) : "type#" + onnxCode;
    }

    /** The {@link DType} of a tensor, or an error naming {@code source} and the tensor. */
    public static DType dtypeOf(TensorProto t, String source) {
        DType d = DType.fromOnnxCode(t.getDataType());
        if (d == null) {
            throw new OnnxFormatException(source, "initializer '" + t.getName() + "' has data type "
                    + typeName(t.getDataType()) + ", which this project does not handle");
        }
        return d;
    }

    /**
     * Decodes a tensor's elements.
     *
     * @param source file or source name for error messages
     * @throws OnnxFormatException for external or segmented data, unsupported types, or an element
     *                             count that does not match the dims
     */
    public static HostTensor toHost(TensorProto t, String source) {
        DType dtype = dtypeOf(t, source);
        String what = "initializer '" + t.getName() + "'";
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new OnnxFormatException(source, what + " keeps its data in an external file, not supported");
        }
        if (t.hasSegment()) {
            throw new OnnxFormatException(source, what + " is a segment of a larger tensor, not supported");
        }
        long[] shape = dims(t);
        long n;
        try {
            n = HostTensor.numel(shape);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new OnnxFormatException(source, what + " has invalid dims " + Arrays.toString(shape), e);
        }
        if (t.hasRawData()) {
            byte[] raw = t.getRawData().toByteArray();
            if (raw.length != n * dtype.bytes()) {
                throw new OnnxFormatException(source, what + " " + dtype.shortName() + Arrays.toString(shape)
                        + " needs " + n * dtype.bytes() + " bytes of raw_data, has " + raw.length);
            }
            return new HostTensor(dtype, shape, raw);
        }
        int count = typedCount(t, dtype);
        if (count != n) {
            throw new OnnxFormatException(source, what + " " + dtype.shortName() + Arrays.toString(shape)
                    + " needs " + n + " elements, its typed data field has " + count);
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * dtype.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            switch (dtype) {
                case FLOAT32: b.putFloat(t.getFloatData(i)); break;
                case FLOAT64: b.putDouble(t.getDoubleData(i)); break;
                case INT64: b.putLong(t.getInt64Data(i)); break;
                case INT32: b.putInt(t.getInt32Data(i)); break;
                case INT16: case FLOAT16: case BFLOAT16: b.putShort((short) t.getInt32Data(i)); break;
                case INT8: case UINT8: case BOOL: b.put((byte) t.getInt32Data(i)); break;
                default: throw new IllegalStateException(dtype.toString());
            }
        }
        return new HostTensor(dtype, shape, b.array());
    }

    private static int typedCount(TensorProto t, DType dtype) {
        switch (dtype) {
            case FLOAT32: return t.getFloatDataCount();
            case FLOAT64: return t.getDoubleDataCount();
            case INT64: return t.getInt64DataCount();
            default: return t.getInt32DataCount();
        }
    }

    /** The dims of a tensor as a {@code long[]}. */
    public static long[] dims(TensorProto t) {
        List<Long> d = t.getDimsList();
        long[] out = new long[d.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.get(i);
        }
        return out;
    }

    /**
     * Writes {@code value} into {@code target}: dims, data type and {@code raw_data}; clears every
     * typed data field, external data and segment. Name and doc string are kept.
     */
    public static void write(TensorProto.Builder target, HostTensor value) {
        target.clearDims();
        for (long d : value.shape()) {
            target.addDims(d);
        }
        target.setDataType(value.dtype().onnxCode());
        target.clearFloatData().clearInt32Data().clearInt64Data().clearDoubleData().clearUint64Data()
                .clearStringData().clearExternalData().clearDataLocation().clearSegment();
        target.setRawData(com.google.protobuf.ByteString.copyFrom(value.buffer()));
    }

    /** A new raw-data tensor named {@code name} holding {@code value}. */
    public static TensorProto of(String name, HostTensor value) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name);
        write(b, value);
        return b.build();
    }
}
