package org.aligndet.bridge.onnx;

import java.util.Arrays;
import org.aligndet.bridge.tensor.DType;

/**
 * One initializer as listed by {@link OnnxModel#initializers()}.
 *
 * @param name     the initializer's name
 * @param dataType its ONNX data-type code
 * @param shape    its dims
 * @param graph    where it lives: {@code ""} for the main graph, otherwise the path of the
 *                 subgraph, e.g. {@code "If_28/else_branch"} (node name / attribute name, with
 *                 {@code [i]} appended for graph-list attributes, nested paths joined by {@code /})
 */
public record InitializerInfo(String name, int dataType, long[] shape, String graph) {

    public InitializerInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The element type, or null when this project does not handle it. */
    public DType dtype() {
        return DType.fromOnnxCode(dataType);
    }

    public boolean inSubgraph() {
        return !graph.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InitializerInfo i && name.equals(i.name) && dataType == i.dataType
                && Arrays.equals(shape, i.shape) && graph.equals(i.graph);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return (graph.isEmpty() ? "" : graph + ":") + name + " " + TensorProtos.typeName(dataType)
                + Arrays.toString(shape);
    }
}
