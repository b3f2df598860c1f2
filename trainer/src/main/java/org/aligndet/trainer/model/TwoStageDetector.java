package org.aligndet.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * A two-stage detector's TorchScript graph (Faster R-CNN, Mask R-CNN) driven stage by stage:
 * backbone, neck, RPN, then the RoI head on features pooled in Java
 * ({@link org.aligndet.trainer.twostage.RoiExtractor}), its classifier and, for Mask R-CNN, the mask
 * head. The graph follows the model-specs contract; RoIAlign is not in the graph because DJL cannot
 * load torchvision's operators, and the Java one is tested against torchvision's to 1e-5, gradients
 * included.
 */
public final class TwoStageDetector {
    public static final String BACKBONE = "backbone_forward", NECK = "neck_forward", RPN = "rpn", ROI_HEAD = "roi_head_forward",
            CLASSIFY = "classify", MASK_HEAD = "mask_head_forward";
    public static final List<String> METHODS = List.of(BACKBONE, NECK, RPN, ROI_HEAD, CLASSIFY);
    public static final List<String> MASK_METHODS = List.of(BACKBONE, NECK, RPN, ROI_HEAD, CLASSIFY, MASK_HEAD);

    private final ModelSpec spec;
    private final TorchGraph graph;
    private final int anchorsPerLocation;

    public TwoStageDetector(ModelSpec spec, TorchGraph graph, List<String> methods, int anchorsPerLocation) {
        graph.requireMethods(methods.toArray(new String[0]));
        this.spec = spec;
        this.graph = graph;
        this.anchorsPerLocation = anchorsPerLocation;
    }

    public ModelSpec spec() {
        return spec;
    }

    public TorchGraph graph() {
        return graph;
    }

    /**
     * The RPN's outputs of one forward pass, per level (finest first).
     *
     * @param objectness {@code [N, A, H_l, W_l]} logits
     * @param deltas     {@code [N, 4A, H_l, W_l]}, channel {@code 4a + k}
     * @param layout     where each anchor lives in them
     * @param pyramid    the neck's outputs they came from
     */
    public record RpnOutputs(List<NDArray> objectness, List<NDArray> deltas, PriorLayout layout, List<NDArray> pyramid) {
        public RpnOutputs {
            objectness = List.copyOf(objectness);
            deltas = List.copyOf(deltas);
            pyramid = List.copyOf(pyramid);
        }
    }

    /**
     * Backbone, neck and RPN on normalised images {@code [N, 3, H, W]}.
     *
     * @param grad          record history through neck and RPN
     * @param trainBackbone record it through the backbone too
     */
    public RpnOutputs rpn(NDArray images, boolean grad, boolean trainBackbone) {
        NDList feats = graph.call(BACKBONE, grad && trainBackbone, images);
        NDList pyramid = graph.call(NECK, grad, feats);
        NDList out = graph.call(RPN, grad, pyramid);
        int levels = pyramid.size();
        if (out.size() != 2 * levels) {
            throw new IllegalStateException(graph.source() + ": rpn returned " + out.size() + " tensors for " + levels
                    + " pyramid levels, expected " + 2 * levels + " (objectness, then deltas, per level)");
        }
        int[] h = new int[levels];
        int[] w = new int[levels];
        for (int l = 0; l < levels; l++) {
            long[] s = out.get(l).getShape().getShape();
            if (s.length != 4 || s[1] != anchorsPerLocation) {
                throw new IllegalStateException(graph.source() + ": rpn objectness level " + l + " has shape "
                        + out.get(l).getShape() + ", expected [N, " + anchorsPerLocation + ", H, W]");
            }
            h[l] = (int) s[2];
            w[l] = (int) s[3];
        }
        PriorLayout layout = new PriorLayout((int) images.getShape().get(0), anchorsPerLocation, h, w);
        return new RpnOutputs(out.subList(0, levels), out.subList(levels, 2 * levels), layout, pyramid);
    }

    /** The RoI head on pooled features {@code [K, C, 7, 7]}: shared fc features {@code [K, F]} and class-specific deltas {@code [K, 4 * classes]}. */
    public record RoiOutputs(NDArray features, NDArray deltas) {
    }

    public RoiOutputs roiHead(NDArray pooled, boolean grad) {
        NDList out = graph.call(ROI_HEAD, grad, pooled);
        if (out.size() != 2) {
            throw new IllegalStateException(graph.source() + ": roi_head returned " + out.size() + " tensors, expected 2");
        }
        return new RoiOutputs(out.get(0), out.get(1));
    }

    /** The classifier on the shared fc features: {@code [K, classes + 1]}, background last. */
    public NDArray classify(NDArray features, boolean grad) {
        return graph.call(CLASSIFY, grad, features).singletonOrThrow();
    }

    /** The mask head on pooled features {@code [K, C, 14, 14]}: logits {@code [K, classes, 28, 28]}. */
    public NDArray maskHead(NDArray pooled, boolean grad) {
        return graph.call(MASK_HEAD, grad, pooled).singletonOrThrow();
    }
}
