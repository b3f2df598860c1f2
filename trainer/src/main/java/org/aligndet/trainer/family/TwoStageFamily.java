package org.aligndet.trainer.family;

import java.util.List;

/**
 * The two-stage family (Faster R-CNN, Mask R-CNN): where it plugs in, not yet implemented.
 *
 * <p>Graph stages (DESIGN.md): {@code backbone}, {@code neck}, {@code rpn(pyramid) -> (objectness,
 * deltas)}, {@code roi_head(pyramid, rois) -> (roi_feats, deltas)}, {@code classify(roi_feats)}, and
 * {@code mask_head} for Mask R-CNN. An implementation provides, built once from its spec:
 * <ul>
 *   <li>the RPN as a {@link DenseFamily}-like rule set: anchors, max-IoU 0.7 / 0.3 with low-quality
 *       matches, 256 samples at positive fraction 0.5, deltas, BCE + L1;</li>
 *   <li>proposal generation (pre-NMS top-k per level, NMS 0.7, keep N) from RPN outputs;</li>
 *   <li>RoI assignment and sampling against boxes (fine-tuning: labelled boxes, 512 at 0.25, boxes
 *       added as proposals; AlignDet pre-training: selective-search proposals, max-IoU 0.5, up to 4096
 *       positives), class-specific delta coding and the RoI losses;</li>
 *   <li>decoding and mask pasting for inference.</li>
 * </ul>
 * Pre-training and fine-tuning then differ only in their {@code TrainingTask}s, as for dense heads.
 */
public non-sealed interface TwoStageFamily extends DetectorFamily {
    /** The stage methods of a two-stage graph. */
    List<String> METHODS = List.of("backbone_forward", "neck_forward", "rpn", "roi_head", "classify");

    /** Proposals kept per image after the RPN's NMS (mmdetection: 1000 for training and testing). */
    int proposalsPerImage();

    /** RoIs sampled per image for the RoI head's losses. */
    int roiSamplesPerImage();
}
