package org.aligndet.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.GradMode;
import org.aligndet.bridge.torch.NdTensors;

/**
 * AlignDet's contrastive projector, written in Java: it takes the place of the detector's
 * classifier during box-domain pre-training (MoCo v2's fc-ReLU-fc) and is dropped at fine-tuning.
 *
 * <ul>
 *   <li>RetinaNet: 1x1 conv C→C, ReLU, 1x1 conv C→A·D per location (one D-d embedding per anchor).
 *   <li>FCOS: 3x3 conv C→C, ReLU, 1x1 conv C→D.
 * </ul>
 *
 * Parameters are named {@code projector.0.weight}, {@code projector.0.bias}, {@code projector.2.weight},
 * {@code projector.2.bias} (the Sequential indices of the reference). The 1x1 layers run on the
 * gathered rows of the sampled priors only, which is the same function as running them on the map.
 */
public final class Projector {
    public static final String W1 = "projector.0.weight";
    public static final String B1 = "projector.0.bias";
    public static final String W2 = "projector.2.weight";
    public static final String B2 = "projector.2.bias";

    private final int channels;
    private final int anchors;
    private final int dim;
    private final int kernel;
    private final Map<String, NDArray> params;

    private Projector(int channels, int anchors, int dim, int kernel, Map<String, NDArray> params) {
        this.channels = channels;
        this.anchors = anchors;
        this.dim = dim;
        this.kernel = kernel;
        this.params = params;
    }

    /**
     * A freshly initialised projector: conv weights N(0, 0.01), biases 0 (the head's init), trainable.
     *
     * @param kernel 1 for RetinaNet, 3 for FCOS (first layer)
     */
    public static Projector create(NDManager manager, int channels, int anchors, int dim, int kernel, long seed) {
        return create(manager, channels, anchors, dim, kernel, seed, 0.01);
    }

    /** As {@link #create(NDManager, int, int, int, int, long)} with conv weights N(0, std). */
    public static Projector create(NDManager manager, int channels, int anchors, int dim, int kernel, long seed, double std) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, HostTensor> init = new LinkedHashMap<>();
        init.put(W1, normal(rng, new long[] {channels, channels, kernel, kernel}, std));
        init.put(B1, HostTensor.ofFloats(new long[] {channels}, new float[channels]));
        init.put(W2, normal(rng, new long[] {(long) anchors * dim, channels, 1, 1}, std));
        init.put(B2, HostTensor.ofFloats(new long[] {(long) anchors * dim}, new float[anchors * dim]));
        return fromState(manager, channels, anchors, dim, kernel, init, true);
    }

    /** A projector with the given weights; {@code trainable} decides whether they take gradients. */
    public static Projector fromState(NDManager manager, int channels, int anchors, int dim, int kernel,
                                      Map<String, HostTensor> state, boolean trainable) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (String k : List.of(W1, B1, W2, B2)) {
            HostTensor t = state.get(k);
            if (t == null) {
                throw new IllegalArgumentException("projector state lacks " + k + " (has " + state.keySet() + ")");
            }
            NDArray a = NdTensors.toNd(manager, t);
            a.setRequiresGradient(trainable);
            p.put(k, a);
        }
        long[] w1 = p.get(W1).getShape().getShape();
        long[] w2 = p.get(W2).getShape().getShape();
        if (w1[0] != channels || w1[1] != channels || w1[2] != kernel || w2[0] != (long) anchors * dim || w2[1] != channels) {
            throw new IllegalArgumentException("projector weights " + new Shape(w1) + ", " + new Shape(w2)
                    + " do not fit C=" + channels + ", A=" + anchors + ", D=" + dim + ", k=" + kernel);
        }
        return new Projector(channels, anchors, dim, kernel, p);
    }

    private static HostTensor normal(SplittableRandom rng, long[] shape, double std) {
        float[] v = new float[Math.toIntExact(HostTensor.numel(shape))];
        for (int i = 0; i < v.length; i++) {
            // Box-Muller from the seeded generator: N(0, std)
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            v[i] = (float) (std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return HostTensor.ofFloats(shape, v);
    }

    /** The parameters by name (live arrays: the optimiser and EMA update them in place). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    public Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, NdTensors.toHost(v)));
        return out;
    }

    /** A frozen copy on the same manager: the momentum projector. */
    public Projector frozenCopy(NDManager manager) {
        try (GradMode g = GradMode.off()) {
            return fromState(manager, channels, anchors, dim, kernel, state(), false);
        }
    }

    public int dim() {
        return dim;
    }

    /**
     * Embeds the sampled priors.
     *
     * @param clsFeats per-level classification features {@code [N, C, H_l, W_l]}
     * @param images   image index of each sampled prior
     * @param priors   prior index (within its image) of each sampled prior
     * @return {@code [M, D]} embeddings, not normalised
     */
    public NDArray embed(List<NDArray> clsFeats, PriorLayout layout, int[] images, int[] priors) {
        NDManager m = clsFeats.get(0).getManager();
        List<NDArray> maps = clsFeats;
        NDArray w1 = params.get(W1);
        if (kernel != 1) {
            NDArray b1 = params.get(B1);
            maps = clsFeats.stream()
                    .map(x -> Conv2d.conv2d(x, w1, b1, new Shape(1, 1), new Shape(kernel / 2, kernel / 2), new Shape(1, 1))
                            .singletonOrThrow())
                    .map(Activation::relu)
                    .toList();
        }
        long[] rows = new long[images.length];
        int[] slots = new int[images.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = layout.featureRow(images[i], priors[i]);
            slots[i] = layout.anchorSlot(priors[i]);
        }
        // [M, C]: 1x1, read straight from the maps (no [N*H*W, C] copy of every level held to the step's end)
        NDArray x = kernel == 1 ? rowsOf(maps, layout, images, priors, m) : HeadOutputs.flatten(maps, channels).get(m.create(rows));
        // views of the weights are made in the caller's manager: made from a weight they would belong to the
        // weight's long-lived manager, and each step would leave them there with their autograd history
        NDArray h = kernel == 1 ? x.matMul(transposed(w1, channels, channels, m)).add(params.get(B1)) : x;
        h = kernel == 1 ? Activation.relu(h) : h;
        if (anchors == 1) {
            return h.matMul(transposed(params.get(W2), dim, channels, m)).add(params.get(B2)); // [M, D]
        }
        return ownSlots(h, slots, m);
    }

    /**
     * The second layer for each row's own anchor slot only, {@code [M, D]}: row {@code i} takes output
     * channels {@code slot_i * D ... slot_i * D + D - 1}. The rows are grouped by slot and each group
     * multiplied by its slot's {@code [D, C]} block of the weight: the same values as the full
     * {@code [M, A*D]} layer followed by a pick, at {@code 1/A} of its products (RetinaNet: 9 anchors
     * per location, 2.4 GFLOP per view at 4096 rows, forward, and twice that backward, otherwise).
     */
    private NDArray ownSlots(NDArray h, int[] slots, NDManager m) {
        Groups g = Groups.of(slots, anchors);
        NDArray w2 = params.get(W2).reshape((long) anchors * dim, channels);
        w2.attach(m); // views of the weights belong to the step (see embed)
        NDArray bySlot = g.inOrder() ? h : h.get(NdTensors.ownedIndex(m, g.order()));
        NDList parts = new NDList();
        for (int s = 0; s < anchors; s++) {
            if (g.size(s) == 0) {
                continue;
            }
            NDIndex outputs = new NDIndex().addSliceDim((long) s * dim, (long) (s + 1) * dim);
            NDArray w = w2.get(outputs).transpose(); // [C, D]
            NDArray b = params.get(B2).get(outputs); // [D]
            w.attach(m);
            b.attach(m);
            NDArray rowsOfSlot = bySlot.get(new NDIndex().addSliceDim(g.start()[s], g.start()[s + 1]));
            parts.add(rowsOfSlot.matMul(w).add(b));
        }
        NDArray z = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
        return g.inOrder() ? z : z.get(NdTensors.ownedIndex(m, g.position()));
    }

    /**
     * Embeds feature rows {@code [M, C]} (two-stage detectors: the RoI head's shared fc features): the
     * MLP {@code Linear(C, C), ReLU, Linear(C, D)} of a 1x1 projector with one slot per location,
     * AlignDet's two-stage contrastive head.
     */
    public NDArray embedRows(NDArray x) {
        if (kernel != 1 || anchors != 1) {
            throw new IllegalStateException("row embedding needs a 1x1 projector with one slot, this one has kernel "
                    + kernel + " and " + anchors + " slots");
        }
        NDManager m = x.getManager();
        NDArray h = Activation.relu(x.matMul(transposed(params.get(W1), channels, channels, m)).add(params.get(B1)));
        return h.matMul(transposed(params.get(W2), dim, channels, m)).add(params.get(B2));
    }

    /**
     * The feature vector {@code [C]} at each sampled prior's location, {@code [M, C]}: for each level,
     * one {@code take} from the level's map {@code [N, C, H, W]} at the flat positions
     * {@code (n C + c) H W + loc} (the sum of a location column and a channel row, formed by libtorch),
     * then the rows put back in the samples' order.
     */
    private NDArray rowsOf(List<NDArray> maps, PriorLayout layout, int[] images, int[] priors, NDManager m) {
        int levels = layout.levels();
        int[] level = new int[priors.length];
        for (int i = 0; i < priors.length; i++) {
            level[i] = layout.levelOf(priors[i]);
        }
        Groups g = Groups.of(level, levels);
        long[][] base = new long[levels][];
        for (int l = 0; l < levels; l++) {
            long hw = (long) layout.height(l) * layout.width(l);
            base[l] = new long[g.size(l)];
            for (int k = 0; k < base[l].length; k++) {
                int i = (int) g.order()[g.start()[l] + k];
                base[l][k] = (long) images[i] * channels * hw + (priors[i] - layout.levelStart(l)) / anchors;
            }
        }
        NDList parts = new NDList();
        for (int l = 0; l < levels; l++) {
            int count = base[l].length;
            if (count == 0) {
                continue;
            }
            long hw = (long) layout.height(l) * layout.width(l);
            long[] channelStep = new long[channels];
            for (int c = 0; c < channels; c++) {
                channelStep[c] = c * hw;
            }
            try (NDArray loc = NdTensors.ownedIndex(m, base[l]).reshape(count, 1);
                 NDArray step = NdTensors.ownedIndex(m, channelStep).reshape(1, channels);
                 NDArray flat = maps.get(l).reshape(-1)) {
                parts.add(flat.take(m, loc.add(step))); // [count, C]
            }
        }
        NDArray byLevel = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
        if (parts.size() > 1) {
            parts.close();
        }
        return g.inOrder() ? byLevel : byLevel.get(NdTensors.ownedIndex(m, g.position()));
    }

    /**
     * Rows grouped by a key in {@code [0, groups)}, stable (a counting sort): group {@code g} is
     * {@code order[start[g] .. start[g + 1])}, row {@code i} sits at {@code position[i]}, and
     * {@code inOrder} says the rows were already grouped (no reordering needed either way).
     */
    private record Groups(int[] start, long[] order, long[] position, boolean inOrder) {
        static Groups of(int[] key, int groups) {
            int n = key.length;
            int[] start = new int[groups + 1];
            for (int k : key) {
                start[k + 1]++;
            }
            for (int g = 0; g < groups; g++) {
                start[g + 1] += start[g];
            }
            int[] filled = new int[groups];
            long[] order = new long[n];
            long[] position = new long[n];
            boolean inOrder = true;
            for (int i = 0; i < n; i++) {
                int k = start[key[i]] + filled[key[i]]++;
                order[k] = i;
                position[i] = k;
                inOrder &= k == i;
            }
            return new Groups(start, order, position, inOrder);
        }

        int size(int g) {
            return start[g + 1] - start[g];
        }
    }

    /** {@code w.reshape(rows, cols).transpose()}, both arrays attached to {@code m} (the step's manager). */
    private static NDArray transposed(NDArray w, long rows, long cols, NDManager m) {
        NDArray r = w.reshape(rows, cols);
        r.attach(m);
        NDArray t = r.transpose();
        t.attach(m);
        return t;
    }
}
