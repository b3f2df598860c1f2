package org.aligndet.trainer.spec;

/**
 * A two-stage detector's {@code rpn_head}, {@code roi_head} and test keys (Faster R-CNN, Mask R-CNN).
 *
 * @param rpnTrain          {@code rpn_head.train}: proposals while training (mmdetection 2000 / 0.7 / 1000)
 * @param rpnTest           {@code rpn_head.test}: proposals at inference (1000 / 0.7 / 1000)
 * @param roiStrides        {@code roi_head.featmap_strides}: the levels RoIs are pooled from, default the first four
 * @param roiSize           {@code roi_head.roi_size}, 7
 * @param finestScale       {@code roi_head.finest_scale}, 56
 * @param fcChannels        {@code roi_head.fc_out_channels}: the shared fc features (the projector's input)
 * @param roiSamples        {@code roi_head.train.num}: RoIs sampled per image in fine-tuning, 512
 * @param roiPosFraction    {@code roi_head.train.pos_fraction}, 0.25
 * @param roiMeans          {@code roi_head.bbox_coder.target_means}, 0
 * @param roiStds           {@code roi_head.bbox_coder.target_stds}, 0.1, 0.1, 0.2, 0.2
 * @param maskRoiSize       {@code roi_head.mask.roi_size}, 14 (0 without a mask head)
 * @param maskSize          {@code roi_head.mask.out_size}, 28 (0 without a mask head)
 * @param maskThreshold     {@code test.mask_thr}, 0.5
 */
public record TwoStageSpec(Proposals rpnTrain, Proposals rpnTest, int[] roiStrides, int roiSize, float finestScale,
                           int fcChannels, int roiSamples, double roiPosFraction, float[] roiMeans, float[] roiStds,
                           int maskRoiSize, int maskSize, float maskThreshold) {
    /** RPN proposal settings: per-level candidates before NMS, NMS IoU, proposals kept per image. */
    public record Proposals(int nmsPre, float nmsIou, int maxPerImg) {
        public Proposals {
            if (maxPerImg <= 0 || !(nmsIou > 0 && nmsIou <= 1)) {
                throw new IllegalArgumentException("max_per_img must be positive and nms_iou in (0, 1], got "
                        + maxPerImg + " and " + nmsIou);
            }
        }
    }

    public TwoStageSpec {
        roiStrides = roiStrides.clone();
        roiMeans = roiMeans.clone();
        roiStds = roiStds.clone();
        if (roiStrides.length == 0 || roiSize <= 0 || fcChannels <= 0 || roiSamples <= 0 || roiPosFraction < 0
                || roiPosFraction > 1 || roiMeans.length != 4 || roiStds.length != 4) {
            throw new IllegalArgumentException("roi_head: strides, roi_size, fc_out_channels and train.num must be positive, "
                    + "train.pos_fraction in [0, 1], the coder's means and stds 4 numbers each");
        }
    }

    @Override
    public int[] roiStrides() {
        return roiStrides.clone();
    }

    @Override
    public float[] roiMeans() {
        return roiMeans.clone();
    }

    @Override
    public float[] roiStds() {
        return roiStds.clone();
    }

    public boolean hasMasks() {
        return maskSize > 0;
    }
}
