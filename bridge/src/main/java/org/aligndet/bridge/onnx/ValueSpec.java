package org.aligndet.bridge.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorShapeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.ValueInfoProto;
import org.aligndet.bridge.tensor.DType;

/**
 * A graph input or output as declared in the model, or as expected by a caller.
 *
 * @param name      the value's name
 * @param elemType  ONNX data-type code of the elements; 0 when not declared (or, in an
 *                  expectation, "any type")
 * @param dims      one entry per axis: a number ({@code "3"}), a symbolic name for a dynamic axis
 *                  ({@code "N"}), or {@code "?"} for an axis with neither
 * @param rankKnown false when the model declares no shape at all (then {@code dims} is empty)
 */
public record ValueSpec(String name, int elemType, List<String> dims, boolean rankKnown) {

    public ValueSpec {
        dims = List.copyOf(dims);
    }

    /**
     * An expectation, e.g. {@code ValueSpec.of("images", DType.FLOAT32, "N", "3", "H", "W")}.
     * Numeric dims must match; symbolic ones and {@code "?"} accept any size. A null dtype accepts
     * any element type.
     */
    public static ValueSpec of(String name, DType dtype, String... dims) {
        return new ValueSpec(name, dtype == null ? 0 : dtype.onnxCode(), Arrays.asList(dims), true);
    }

    /** Reads a declared value; only tensor types carry a shape, other kinds come out with rank unknown. */
    public static ValueSpec from(ValueInfoProto v) {
        if (!v.getType().hasTensorType()) {
            return new ValueSpec(v.getName(), 0, List.of(), false);
        }
        var tt = v.getType().getTensorType();
        if (!tt.hasShape()) {
            return new ValueSpec(v.getName(), tt.getElemType(), List.of(), false);
        }
        List<String> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : tt.getShape().getDimList()) {
            dims.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() ? d.getDimParam() : "?");
        }
        return new ValueSpec(v.getName(), tt.getElemType(), dims, true);
    }

    /** The element type as a {@link DType}, or null when undeclared or not handled here. */
    public DType dtype() {
        return DType.fromOnnxCode(elemType);
    }

    /** True when an axis is dynamic (declared by name or not at all). */
    public boolean isDynamic(int axis) {
        return !isNumber(dims.get(axis));
    }

    /**
     * Whether the declared value {@code actual} satisfies this expectation: same name, same element
     * type (unless this one is 0), same rank (unless {@code actual}'s is unknown), and every numeric
     * dim here equal to the actual one or matched by a dynamic actual axis.
     */
    public boolean acceptsDeclared(ValueSpec actual) {
        if (!name.equals(actual.name) || (elemType != 0 && elemType != actual.elemType)) {
            return false;
        }
        if (!actual.rankKnown) {
            return true;
        }
        if (dims.size() != actual.dims.size()) {
            return false;
        }
        for (int i = 0; i < dims.size(); i++) {
            String want = dims.get(i);
            String have = actual.dims.get(i);
            if (isNumber(want) && isNumber(have) && !want.equals(have)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    /** E.g. {@code float32 [N,3,H,W]}; {@code [?]} stands for an undeclared shape, {@code any} for an undeclared type. */
    public String typeAndShape() {
        String type = elemType == 0 ? "any" : TensorProtos.typeName(elemType);
        return type + " " + (rankKnown ? "[" + String.join(",", dims) + "]" : "[?]");
    }

    /** E.g. {@code images float32 [N,3,H,W]}. */
    @Override
    public String toString() {
        return name + " " + typeAndShape();
    }
}
