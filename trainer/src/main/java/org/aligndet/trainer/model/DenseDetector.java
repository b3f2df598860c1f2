package org.aligndet.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;
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
        return new HeadOutputs(cls, box, ctr, layout);
    }

    /** The detector's own classifier on the classification features: logits per level. */
    public NDList classify(List<NDArray> clsFeats, boolean grad) {
        return graph.call("classify", grad, new NDList(clsFeats));
    }

    @Override
    public void close() {
        graph.close();
    }
}
