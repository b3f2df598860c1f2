package org.aligndet.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;
import org.aligndet.bridge.torch.GradMode;

/**
 * One forward pass of a dense detector's head, per level (finest first).
 *
 * @param clsFeats   classification-branch features {@code [N, C, H_l, W_l]} (the projector's input)
 * @param boxOut     box branch {@code [N, A*4, H_l, W_l]}: deltas (RetinaNet) or l,t,r,b (FCOS)
 * @param centerness FCOS centre-ness logits {@code [N, 1, H_l, W_l]}; empty for RetinaNet
 * @param layout     where each prior lives in these outputs
 * @param pyramid    the neck's outputs {@code [N, C, H_l, W_l]} the head ran on (empty when not kept)
 */
public record HeadOutputs(List<NDArray> clsFeats, List<NDArray> boxOut, List<NDArray> centerness, PriorLayout layout,
                          List<NDArray> pyramid) {
    public HeadOutputs {
        clsFeats = List.copyOf(clsFeats);
        boxOut = List.copyOf(boxOut);
        centerness = List.copyOf(centerness);
        pyramid = List.copyOf(pyramid);
    }

    public HeadOutputs(List<NDArray> clsFeats, List<NDArray> boxOut, List<NDArray> centerness, PriorLayout layout) {
        this(clsFeats, boxOut, centerness, layout, List.of());
    }

    /** Closes every array held here (outputs no longer needed before the step ends). */
    public void close() {
        clsFeats.forEach(NDArray::close);
        boxOut.forEach(NDArray::close);
        centerness.forEach(NDArray::close);
        pyramid.forEach(NDArray::close);
    }

    /** Root mean square of each map, level by level (a host sync per level: for logging). */
    public static double[] rms(List<NDArray> maps) {
        double[] out = new double[maps.size()];
        try (GradMode off = GradMode.off()) {
            for (int l = 0; l < out.length; l++) {
                try (NDArray sq = maps.get(l).square().mean()) {
                    out[l] = Math.sqrt(sq.getFloat());
                }
            }
        }
        return out;
    }

    /** Level-major flattening of per-level maps {@code [N, A*k, H, W]} to {@code [sum N*H*W*A, k]}. */
    public static NDArray flatten(List<NDArray> maps, int k) {
        NDList parts = new NDList();
        for (NDArray m : maps) {
            parts.add(m.transpose(0, 2, 3, 1).reshape(-1, k));
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }
}
