package org.aligndet.trainer.family;

import java.util.List;
import org.aligndet.trainer.assign.MaxIoUAssigner;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.infer.PostprocessConfig;
import org.aligndet.trainer.model.TwoStageDetector;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.sample.PositiveFirstSampler;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.TwoStageSpec;
import org.aligndet.trainer.twostage.RoIAlign;
import org.aligndet.trainer.twostage.RoiExtractor;
import org.aligndet.trainer.twostage.RoiTargets;
import org.aligndet.trainer.twostage.RpnProposals;
import org.aligndet.trainer.twostage.RpnTargets;

/**
 * The two-stage family's rules (Faster R-CNN, Mask R-CNN), mmdetection 2.x semantics, built once from
 * a spec and shared by pre-training, fine-tuning and inference:
 * <ul>
 *   <li>the RPN: anchors ({@code scales [8]}, ratios 0.5 / 1 / 2 on strides 4..64), max-IoU
 *       0.7 / 0.3 with low-quality matches, class-agnostic deltas; fine-tuning samples 256 anchors
 *       at positive fraction 0.5, AlignDet's pre-training up to 4096 with every positive kept
 *       ({@code pos_fraction=1.0}, negatives fill the rest); BCE + L1;</li>
 *   <li>proposals: pre-NMS top {@code nms_pre} per level, NMS 0.7, {@code max_per_img} kept (training
 *       2000 / 0.7 / 1000, testing 1000 / 0.7 / 1000);</li>
 *   <li>the RoI head: {@link RoiExtractor} (RoIAlign 7x7, aligned, adaptive sampling, finest scale
 *       56) on the first four levels; fine-tuning assigns the proposals plus the boxes at 0.5 and
 *       samples 512 at 0.25 ({@link RoiTargets#mmdetection}; a spec may sample fewer); pre-training
 *       assigns them to the selective-search proposals at 0.5 (low-quality matches, only the best RoI
 *       of a box) and keeps up to 4096 positives and no negatives, as AlignDet's released recipe;
 *       class-specific deltas with stds 0.1 / 0.1 / 0.2 / 0.2;</li>
 *   <li>Mask R-CNN: a 14x14 extractor on the same levels and 28x28 mask targets.</li>
 * </ul>
 */
public final class TwoStageFamily implements DetectorFamily {
    private final ModelSpec spec;
    private final TwoStageSpec settings;
    private final AnchorGenerator anchors;
    private final RpnProposals trainProposals;
    private final RpnProposals testProposals;
    private final DeltaXYWHCoder roiCoder;
    private final PostprocessConfig test;

    public TwoStageFamily(ModelSpec spec, TwoStageSpec settings, AnchorGenerator anchors, RpnProposals trainProposals,
                          RpnProposals testProposals, DeltaXYWHCoder roiCoder, PostprocessConfig test) {
        this.spec = spec;
        this.settings = settings;
        this.anchors = anchors;
        this.trainProposals = trainProposals;
        this.testProposals = testProposals;
        this.roiCoder = roiCoder;
        this.test = test;
    }

    static TwoStageFamily fromSpec(ModelSpec spec) {
        return TwoStageSpecs.family(spec);
    }

    /** RoIs sampled per image in fine-tuning ({@code roi_head.train.num}). */
    public int roiSamples() {
        return settings.roiSamples();
    }

    /** Proposals kept per image while training ({@code rpn_head.train.max_per_img}). */
    public int trainProposalsPerImage() {
        return settings.rpnTrain().maxPerImg();
    }

    /** Width of the RoI head's shared fc features (the contrastive projector's input). */
    public int fcChannels() {
        return settings.fcChannels();
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public List<String> graphMethods() {
        return hasMasks() ? TwoStageDetector.MASK_METHODS : TwoStageDetector.METHODS;
    }

    @Override
    public String classifierWeight() {
        return "roi_head.bbox_head.fc_cls.weight";
    }

    @Override
    public String classifierBias() {
        return "roi_head.bbox_head.fc_cls.bias";
    }

    @Override
    public List<String> finalRegressionLayers() {
        return List.of("roi_head.bbox_head.fc_reg.");
    }

    /** mmdetection's {@code fc_cls}: N(0, 0.01), bias 0 (softmax over classes and background). */
    @Override
    public double freshClassifierBias() {
        return 0;
    }

    public boolean hasMasks() {
        return settings.hasMasks();
    }

    public int numClasses() {
        return spec.numClasses();
    }

    public AnchorGenerator anchorGenerator() {
        return anchors;
    }

    public int anchorsPerLocation() {
        return anchors.numAnchors();
    }

    /** The detector driven stage by stage with this family's methods. */
    public TwoStageDetector detector(org.aligndet.bridge.torch.TorchGraph graph) {
        return new TwoStageDetector(spec, graph, graphMethods(), anchorsPerLocation());
    }

    /**
     * The RPN's targets: fine-tuning's 256 anchors at 0.5, or pre-training's {@code samples} (the recipe's
     * {@code sample_boxes}, AlignDet 4096) with every positive kept and negatives filling the rest.
     */
    public RpnTargets rpnTargets(Stage stage, int samples) {
        PositiveFirstSampler sampler = stage == Stage.PRETRAIN ? new PositiveFirstSampler(samples, 1.0)
                : new PositiveFirstSampler(256, 0.5);
        return new RpnTargets(anchors, new MaxIoUAssigner(0.7f, 0.3f, 0.3f, true, true), sampler, DeltaXYWHCoder.unit());
    }

    /** Fine-tuning's RPN targets (256 anchors at 0.5). */
    public RpnTargets rpnTargets() {
        return rpnTargets(Stage.FINETUNE, 256);
    }

    public RpnProposals proposals(boolean training) {
        return training ? trainProposals : testProposals;
    }

    /**
     * The RoI head's targets. Fine-tuning: the spec's {@code roi_head.train} sample (mmdetection 512 at
     * 0.25) for its classes. Pre-training: max-IoU 0.5 with low-quality matches (only a box's single best
     * RoI, {@code gt_max_assign_all=False}), up to {@code samples} positives (AlignDet 4096) and no
     * negatives; labels are then box indices (one class: the caller maps each positive's box to its
     * proposal id).
     */
    /** Fine-tuning's RoI targets. */
    public RoiTargets roiTargets() {
        return roiTargets(Stage.FINETUNE, settings.roiSamples());
    }

    public RoiTargets roiTargets(Stage stage, int samples) {
        if (stage == Stage.PRETRAIN) {
            return new RoiTargets(new MaxIoUAssigner(0.5f, 0.5f, 0.5f, false, true),
                    new PositiveFirstSampler(samples, 1.0).withoutNegatives(), roiCoder, 1);
        }
        return new RoiTargets(new MaxIoUAssigner(0.5f, 0.5f, 0.5f, true, false),
                new PositiveFirstSampler(settings.roiSamples(), settings.roiPosFraction()), roiCoder, spec.numClasses());
    }

    public DeltaXYWHCoder roiCoder() {
        return roiCoder;
    }

    /** The box RoI extractor ({@code roi_size}, 7x7). */
    public RoiExtractor boxExtractor() {
        return new RoiExtractor(settings.roiStrides(), RoIAlign.mmdetection(settings.roiSize()), settings.finestScale());
    }

    /** The mask RoI extractor ({@code mask.roi_size}, 14x14); an error without a mask head. */
    public RoiExtractor maskExtractor() {
        if (!hasMasks()) {
            throw new IllegalStateException(spec.name() + " has no mask head");
        }
        return new RoiExtractor(settings.roiStrides(), RoIAlign.mmdetection(settings.maskRoiSize()), settings.finestScale());
    }

    /** Side of the mask head's output and of its targets (28). */
    public int maskSize() {
        return settings.maskSize();
    }

    public PostprocessConfig testConfig() {
        return test;
    }

    public float maskThreshold() {
        return settings.maskThreshold();
    }
}
