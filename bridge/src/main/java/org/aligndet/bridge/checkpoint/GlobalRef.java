package org.aligndet.bridge.checkpoint;

import org.aligndet.bridge.tensor.DType;

/**
 * A global the whitelist allows, as it sits on the pickle stack. Only {@link TorchGlobals} makes
 * these, so any callable a pickle can reach is one of the {@link Kind}s below.
 *
 * @param module module name as pickled
 * @param name   attribute name as pickled
 * @param kind   what it stands for
 * @param dtype  element type for storage classes and torch dtypes, else {@code null}
 */
record GlobalRef(String module, String name, Kind kind, DType dtype) {
    enum Kind {
        ORDERED_DICT, REBUILD_TENSOR, REBUILD_TENSOR_V2, REBUILD_PARAMETER, STORAGE, TORCH_DTYPE,
        TORCH_SIZE, TORCH_DEVICE, SET, FROZENSET, NUMPY_SCALAR, NUMPY_DTYPE, NUMPY_ARRAY, CODECS_ENCODE
    }

    String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
