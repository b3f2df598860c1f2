package org.aligndet.trainer.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading and clearing libtorch's accumulated gradients of named arrays (as the pre-training loop does). */
final class Gradients {
    private Gradients() {
    }

    /** The gradient of each array that has one (arrays backward never reached are left out). */
    static Map<String, NDArray> of(Map<String, NDArray> params) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            NDArray g = JniUtils.getGradient((PtNDArray) v);
            if (g != null) {
                out.put(k, g);
            }
        });
        return out;
    }

    /** Drops the gradient handles and zeroes the accumulated gradients (libtorch accumulates). */
    static void release(Map<String, NDArray> grads, Collection<NDArray> params) {
        grads.values().forEach(NDArray::close);
        for (NDArray p : params) {
            if (JniUtils.getGradient((PtNDArray) p) != null) {
                JniUtils.zeroGrad((PtNDArray) p);
            }
        }
    }
}
