package org.aligndet.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.torch.GradMode;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * A dense detector's TorchScript graph driven stage by stage: backbone, neck, head, classifier.
 * The graph follows the model-specs contract (stage methods, flattened per-level outputs); the
 * output layout (groups per level, priors per location) comes from the detector's family
 * ({@code family.DenseFamily#detector}).
 */
public final class DenseDetector implements AutoCloseable {
    public static final String[] METHODS = {"backbone_forward", "neck_forward", "head_forward", "classify"};

    private final ModelSpec spec;
    private final TorchGraph graph;
    private final int groups;
    private final int priorsPerLocation;

    /**
     * @param methods           stage methods the graph must export
     * @param groups            per-level output groups of {@code head_forward} (2, or 3 with centre-ness)
     * @param priorsPerLocation anchors per location (1 for points)
     */
    public DenseDetector(ModelSpec spec, TorchGraph graph, List<String> methods, int groups, int priorsPerLocation) {
        graph.requireMethods(methods.toArray(new String[0]));
        this.spec = spec;
        this.graph = graph;
        this.groups = groups;
        this.priorsPerLocation = priorsPerLocation;
    }

    public ModelSpec spec() {
        return spec;
    }

    public TorchGraph graph() {
        return graph;
    }

    /**
     * Runs backbone, neck and head on normalised images {@code [N, 3, H, W]}.
     *
     * @param grad          record autograd history for neck and head (online detector) or not
     *                      (momentum detector, inference)
     * @param trainBackbone record history through the backbone too (fine-tuning); false when it is
     *                      frozen, which saves the backbone's activations for backward
     */
    public HeadOutputs head(NDArray images, boolean grad, boolean trainBackbone) {
        NDList feats = graph.call("backbone_forward", grad && trainBackbone, images);
        NDList pyramid = graph.call("neck_forward", grad, feats);
        // the backbone's maps are not needed past the neck: freed now rather than when the step ends
        // (what backward needs of them, autograd holds on its own)
        feats.close();
        NDList head = graph.call("head_forward", grad, pyramid);
        int levels = spec.numLevels();
        if (head.size() != levels * groups) {
            throw new IllegalStateException(graph.source() + ": head_forward returned " + head.size()
                    + " tensors, expected " + levels * groups + " for " + spec.name());
        }
        int[] h = new int[levels];
        int[] w = new int[levels];
        for (int l = 0; l < levels; l++) {
            long[] s = head.get(l).getShape().getShape();
            h[l] = (int) s[2];
            w[l] = (int) s[3];
        }
        PriorLayout layout = new PriorLayout((int) images.getShape().get(0), priorsPerLocation, h, w);
        List<NDArray> cls = head.subList(0, levels);
        List<NDArray> box = head.subList(levels, 2 * levels);
        List<NDArray> ctr = groups == 3 ? head.subList(2 * levels, 3 * levels) : List.of();
        return new HeadOutputs(cls, box, ctr, layout, pyramid);
    }

    /**
     * The detector's own classifier on the classification features: logits per level. When the
     * classifier was sized at run time ({@link ClassifierSizing}), the graph's {@code classify} would
     * use its own, differently sized layer, so the same 3x3 conv (stride 1, padding 1) runs here with
     * the replacement weights.
     */
    public NDList classify(List<NDArray> clsFeats, boolean grad) {
        Map<String, NDArray> own = graph.replaced();
        if (own.isEmpty()) {
            return graph.call("classify", grad, new NDList(clsFeats));
        }
        String w = own.keySet().stream().filter(k -> k.endsWith(".weight")).findFirst()
                .orElseThrow(() -> new IllegalStateException(graph.source() + ": replaced " + own.keySet() + " has no weight"));
        NDArray weight = own.get(w);
        NDArray bias = own.get(w.substring(0, w.length() - ".weight".length()) + ".bias");
        try (GradMode g = grad ? GradMode.on() : GradMode.off()) {
            NDList out = new NDList();
            for (NDArray x : clsFeats) {
                out.add(Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1)).singletonOrThrow());
            }
            return out;
        }
    }

    @Override
    public void close() {
        graph.close();
    }
}
