package org.aligndet.trainer.optim;

import org.aligndet.bridge.torch.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.Map;
import java.util.TreeSet;
import org.aligndet.bridge.torch.GradMode;

/** The momentum (EMA) update of a target network from an online one, in place, without autograd. */
public final class Ema {
    private Ema() {
    }

    /** {@code target = m * target + (1 - m) * online} for every name; both maps must hold the same names. */
    public static void update(Map<String, NDArray> online, Map<String, NDArray> target, double m) {
        checkNames(online, target);
        try (GradMode off = GradMode.off(); NDScope scope = new NDScope()) {
            for (Map.Entry<String, NDArray> e : target.entrySet()) {
                NDArray t = e.getValue();
                // closed at once, so the next tensor reuses its memory (the scope would hold all to the end)
                try (NDArray share = Scalars.mul(online.get(e.getKey()), (float) (1 - m))) {
                    t.muli((float) m).addi(share);
                }
            }
        }
    }

    /** {@code target = source} for every name (for buffers such as normalisation statistics). */
    public static void copy(Map<String, NDArray> source, Map<String, NDArray> target) {
        checkNames(source, target);
        try (GradMode off = GradMode.off()) {
            for (Map.Entry<String, NDArray> e : target.entrySet()) {
                e.getValue().set(new NDIndex("..."), source.get(e.getKey()));
            }
        }
    }

    private static void checkNames(Map<String, NDArray> a, Map<String, NDArray> b) {
        TreeSet<String> onlyA = new TreeSet<>(a.keySet());
        onlyA.removeAll(b.keySet());
        TreeSet<String> onlyB = new TreeSet<>(b.keySet());
        onlyB.removeAll(a.keySet());
        StringBuilder msg = new StringBuilder();
        if (!onlyA.isEmpty() || !onlyB.isEmpty()) {
            msg.append("names differ: only in source ").append(onlyA).append(", only in target ").append(onlyB).append(". ");
        }
        for (Map.Entry<String, NDArray> e : b.entrySet()) {
            NDArray s = a.get(e.getKey());
            if (s != null && !s.getShape().equals(e.getValue().getShape())) {
                msg.append(e.getKey()).append(": ").append(s.getShape()).append(" vs ").append(e.getValue().getShape()).append(". ");
            }
        }
        if (msg.length() > 0) {
            throw new IllegalArgumentException("EMA: " + msg.toString().trim());
        }
    }
}
