package org.aligndet.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.aligndet.bridge.torch.GradMode;

/**
 * Clipping by the total L2 norm of all gradients, as torch's {@code clip_grad_norm_} (mmdetection's
 * RetinaNet and FCOS recipes: max norm 35): when the norm exceeds {@code maxNorm}, every gradient is
 * scaled in place by {@code maxNorm / (norm + 1e-6)}.
 */
public final class GradClip {
    private GradClip() {
    }

    /** @return the total norm before clipping */
    public static double clip(Map<String, NDArray> grads, double maxNorm) {
        double sq = 0;
        for (NDArray g : grads.values()) {
            // both arrays are closed: made from a gradient they belong to the parameter's long-lived manager
            try (NDArray g2 = g.square(); NDArray s = g2.sum()) {
                sq += s.getFloat();
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            try (GradMode off = GradMode.off()) {
                for (NDArray g : grads.values()) {
                    g.muli(scale);
                }
            }
        }
        return norm;
    }
}
