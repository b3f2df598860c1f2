package org.aligndet.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.aligndet.bridge.torch.NdTensors;

/** Shape checks and row selection on a dense head's per-level maps, shared by the two losses. */
public final class DenseMaps {
    private DenseMaps() {
    }

    /**
     * Checks {@code maps} are {@code [N, A*k, H_l, W_l]} per level as {@code layout} says, then flattens
     * them level-major to {@code [R, k]}, {@code R = N * priorsPerImage}; row {@code layout.boxRow(b, p)}
     * is image {@code b}'s prior {@code p}.
     */
    public static NDArray flatten(List<NDArray> maps, PriorLayout layout, int k, String what) {
        if (maps.size() != layout.levels()) {
            throw new IllegalArgumentException(what + ": " + maps.size() + " levels, layout has " + layout.levels());
        }
        for (int l = 0; l < maps.size(); l++) {
            long[] s = maps.get(l).getShape().getShape();
            if (s.length != 4 || s[0] != layout.batch() || s[1] != (long) layout.anchors() * k
                    || s[2] != layout.height(l) || s[3] != layout.width(l)) {
                throw new IllegalArgumentException(what + " level " + l + ": shape " + maps.get(l).getShape()
                        + ", expected (" + layout.batch() + ", " + (long) layout.anchors() * k + ", "
                        + layout.height(l) + ", " + layout.width(l) + ")");
            }
        }
        return HeadOutputs.flatten(maps, k);
    }

    /** The rows {@code rows} of {@code flat} ({@code [R, k]}) → {@code [M, k]}, differentiable; {@code M > 0}. */
    public static NDArray rows(NDArray flat, long[] rows) {
        // the selection's backward reads the index after this method: it must own its memory
        // (a create()d array closed here let the collector free it under libtorch, see NdTensors.ownedIndex)
        return flat.get(NdTensors.ownedIndex(flat.getManager(), rows));
    }

    /**
     * An exact {@code +0} scalar still attached to {@code x}'s graph (the sum of an empty selection, as
     * mmdetection returns): the term when there is nothing to regress; zero gradients, never NaN.
     */
    public static NDArray zeroLoss(NDArray x) {
        return x.reshape(-1).get("0:0").sum();
    }
}
