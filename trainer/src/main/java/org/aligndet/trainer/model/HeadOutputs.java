package org.aligndet.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * One forward pass of a dense detector's head, per level (finest first).
 *
 * @param clsFeats   classification-branch features {@code [N, C, H_l, W_l]} (the projector's input)
 * @param boxOut     box branch {@code [N, A*4, H_l, W_l]}: deltas (RetinaNet) or l,t,r,b (FCOS)
 * @param centerness FCOS centre-ness logits {@code [N, 1, H_l, W_l]}; empty for RetinaNet
 * @param layout     where each prior lives in these outputs
 */
public record HeadOutputs(List<NDArray> clsFeats, List<NDArray> boxOut, List<NDArray> centerness, PriorLayout layout) {
    public HeadOutputs {
        clsFeats = List.copyOf(clsFeats);
        boxOut = List.copyOf(boxOut);
        centerness = List.copyOf(centerness);
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
