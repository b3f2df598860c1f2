package org.aligndet.bridge.tensor;

import java.util.Locale;

/**
 * Element types shared by every format the bridge reads or writes: torch storages, ONNX
 * initializers and DJL arrays. Each knows its width in bytes and its names in those formats.
 */
public enum DType {
    FLOAT32(4, "FloatStorage", 1, "float32"),
    FLOAT64(8, "DoubleStorage", 11, "float64"),
    FLOAT16(2, "HalfStorage", 10, "float16"),
    BFLOAT16(2, "BFloat16Storage", 16, "bfloat16"),
    INT64(8, "LongStorage", 7, "int64"),
    INT32(4, "IntStorage", 6, "int32"),
    INT16(2, "ShortStorage", 5, "int16"),
    INT8(1, "CharStorage", 3, "int8"),
    UINT8(1, "ByteStorage", 2, "uint8"),
    BOOL(1, "BoolStorage", 9, "bool");

    private final int bytes;
    private final String torchStorage;
    private final int onnxCode;
    private final String shortName;

    DType(int bytes, String torchStorage, int onnxCode, String shortName) {
        this.bytes = bytes;
        this.torchStorage = torchStorage;
        this.onnxCode = onnxCode;
        this.shortName = shortName;
    }

    /** Width of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The class name torch pickles for a storage of this type, e.g. {@code FloatStorage}. */
    public String torchStorage() {
        return torchStorage;
    }

    /** The {@code TensorProto.DataType} code ONNX uses for this type. */
    public int onnxCode() {
        return onnxCode;
    }

    /** Lower-case name as numpy and torch print it, e.g. {@code float32}. */
    public String shortName() {
        return shortName;
    }

    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    /** The type for a torch storage class name, or {@code null} when there is none. */
    public static DType fromTorchStorage(String name) {
        for (DType t : values()) {
            if (t.torchStorage.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The type for an ONNX data-type code, or {@code null} when this project does not handle it. */
    public static DType fromOnnxCode(int code) {
        for (DType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        return null;
    }

    /** Parses {@code float32}, {@code FLOAT32}, {@code torch.float32} and the like. */
    public static DType parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("torch.", "");
        for (DType t : values()) {
            if (t.shortName.equals(n) || t.name().toLowerCase(Locale.ROOT).equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "'");
    }
}
