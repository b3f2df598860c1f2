package org.aligndet.trainer.run;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading and clearing libtorch's accumulated gradients of named arrays. */
public final class Gradients {
    private Gradients() {
    }

    /** The gradient of each array that has one (arrays backward never reached are left out). */
    public static Map<String, NDArray> of(Map<String, NDArray> params) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            NDArray g = JniUtils.getGradient((PtNDArray) v);
            if (g != null) {
                out.put(k, g);
            }
        });
        return out;
    }

    /**
     * Drops the gradient handles and zeroes the accumulated gradients (libtorch accumulates). Every
     * handle {@code getGradient} returns is a new array in the parameter's long-lived manager, so each
     * is closed here: left open, each step would add one per parameter for the whole run.
     */
    public static void release(Map<String, NDArray> grads, Collection<NDArray> params) {
        grads.values().forEach(NDArray::close);
        for (NDArray p : params) {
            NDArray g = JniUtils.getGradient((PtNDArray) p);
            if (g != null) {
                g.close();
                JniUtils.zeroGrad((PtNDArray) p);
            }
        }
    }
}
