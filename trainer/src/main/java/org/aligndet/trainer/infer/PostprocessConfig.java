package org.aligndet.trainer.infer;

import com.fasterxml.jackson.databind.JsonNode;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.SpecException;

/**
 * Test-time settings of a dense detector (a spec's {@code "test"} section).
 *
 * @param nmsPre    candidates kept per level before NMS, by their best class score; {@code <= 0} keeps all
 * @param scoreThr  a (candidate, class) pair enters NMS only when its score is strictly greater
 * @param nmsIou    a box is suppressed by a kept box of the same class when their IoU is strictly greater
 * @param maxPerImg detections kept per class by NMS, and in total per image
 */
public record PostprocessConfig(int nmsPre, float scoreThr, double nmsIou, int maxPerImg) {
    public PostprocessConfig {
        if (maxPerImg <= 0) {
            throw new IllegalArgumentException("max_per_img must be positive, got " + maxPerImg);
        }
        if (!(nmsIou >= 0 && nmsIou <= 1)) {
            throw new IllegalArgumentException("nms_iou must lie in [0, 1], got " + nmsIou);
        }
    }

    /**
     * Reads {@code nms_pre}, {@code score_thr}, {@code nms_iou}, {@code max_per_img}. The score
     * threshold is held as float32, as PyTorch compares a float32 tensor with a Python float; the IoU
     * threshold stays double, as torchvision's NMS compares with it.
     */
    public static PostprocessConfig from(ModelSpec spec) {
        return from(spec, true);
    }

    /**
     * As {@link #from(ModelSpec)}; without {@code perLevelCandidates} (a two-stage detector's RoI head, which
     * scores its proposals, not per-level anchors) {@code nms_pre} is not read and every candidate is kept.
     *
     * @throws SpecException naming the spec file and the missing key
     */
    public static PostprocessConfig from(ModelSpec spec, boolean perLevelCandidates) {
        JsonNode t = spec.testSection();
        for (String key : new String[] {"nms_pre", "score_thr", "nms_iou", "max_per_img"}) {
            if (!t.hasNonNull(key) && (perLevelCandidates || !key.equals("nms_pre"))) {
                throw new SpecException(spec.file() + ": missing key 'test." + key + "'");
            }
        }
        return new PostprocessConfig(perLevelCandidates ? t.get("nms_pre").asInt() : -1, (float) t.get("score_thr").asDouble(),
                t.get("nms_iou").asDouble(), t.get("max_per_img").asInt());
    }
}
