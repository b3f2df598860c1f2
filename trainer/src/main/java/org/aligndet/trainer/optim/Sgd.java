package org.aligndet.trainer.optim;

import org.aligndet.bridge.torch.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.GradMode;
import org.aligndet.bridge.torch.NdTensors;

/**
 * Stochastic gradient descent with {@code torch.optim.SGD}'s semantics (dampening 0, no Nesterov,
 * weight decay coupled into the gradient). For each parameter {@code p} with gradient {@code g}:
 * <pre>
 *   d   = g + wd * p
 *   buf = d                      (first step of this parameter)
 *   buf = momentum * buf + d     (later steps)
 *   p  -= lr * buf
 * </pre>
 * Parameters are updated in place, without autograd history. Momentum buffers are keyed by parameter
 * name and live in a manager this optimiser owns on the parameters' device; close the optimiser to
 * free them.
 */
public final class Sgd implements AutoCloseable {
    private final double momentum;
    private final ToDoubleFunction<String> weightDecay;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private NDManager manager;

    /** The same weight decay for every parameter, as torch does with one parameter group. */
    public Sgd(double momentum, double weightDecay) {
        this(momentum, name -> weightDecay);
    }

    /**
     * @param momentum    torch's momentum (0.9 in the recipes); 0 keeps no buffers
     * @param weightDecay the decay of each parameter by name (e.g. 0 for normalisation weights and biases)
     */
    public Sgd(double momentum, ToDoubleFunction<String> weightDecay) {
        if (momentum < 0) {
            throw new IllegalArgumentException("momentum must be >= 0, got " + momentum);
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    /**
     * One step over {@code params}; a parameter whose gradient is absent or {@code null} is skipped (its
     * buffer untouched), as torch skips parameters without {@code .grad}.
     */
    public void step(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
        try (GradMode off = GradMode.off(); NDScope scope = new NDScope()) {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                String name = e.getKey();
                NDArray p = e.getValue();
                NDArray g = grads.get(name);
                if (g == null) {
                    continue;
                }
                if (!g.getShape().equals(p.getShape())) {
                    throw new IllegalArgumentException("gradient of " + name + " has shape " + g.getShape()
                            + ", parameter " + p.getShape());
                }
                double wd = weightDecay.applyAsDouble(name);
                // each temporary is the parameter's size (120 MB all told at R50) and is closed as soon as it
                // is used: the scope would keep every one of them to the end of the step, and the allocator
                // would map fresh pages for them at every step instead of reusing the last parameter's
                NDArray decayed = null;
                if (wd != 0) {
                    try (NDArray pw = Scalars.mul(p, (float) wd)) {
                        decayed = g.add(pw);
                    }
                }
                try {
                    NDArray d = decayed == null ? g : decayed;
                    if (momentum != 0) {
                        NDArray buf = buffers.get(name);
                        if (buf == null) {
                            buf = d.duplicate();
                            NDScope.unregister(buf);
                            buf.attach(manager(p));
                            buffers.put(name, buf);
                        } else {
                            buf.muli((float) momentum).addi(d);
                        }
                        d = buf;
                    }
                    try (NDArray update = Scalars.mul(d, (float) lr)) {
                        p.subi(update);
                    }
                } finally {
                    if (decayed != null) {
                        decayed.close();
                    }
                }
            }
        }
    }

    /** The momentum buffers by parameter name, copied to the host (torch's {@code momentum_buffer}s). */
    public Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new TreeMap<>();
        buffers.forEach((name, buf) -> out.put(name, NdTensors.toHost(buf)));
        return out;
    }

    /**
     * Replaces the momentum buffers with {@code state} (from {@link #state}), created on {@code manager}'s
     * device; a parameter without an entry starts afresh on its next step.
     */
    public void loadState(Map<String, HostTensor> state, NDManager manager) {
        clear();
        this.manager = manager.newSubManager();
        state.forEach((name, t) -> {
            NDArray buf = NdTensors.toNd(this.manager, t);
            buffers.put(name, buf);
        });
    }

    private NDManager manager(NDArray p) {
        if (manager == null) {
            manager = p.getManager().newSubManager(p.getDevice());
        }
        return manager;
    }

    private void clear() {
        buffers.clear();
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }

    @Override
    public void close() {
        clear();
    }

    @Override
    public String toString() {
        return "Sgd(momentum=" + momentum + ", buffers=" + Arrays.toString(buffers.keySet().toArray()) + ")";
    }
}
