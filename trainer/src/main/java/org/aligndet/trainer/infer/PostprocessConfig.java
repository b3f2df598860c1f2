package org.aligndet.trainer.infer;

import com.fasterxml.jackson.databind.JsonNode;
import org.aligndet.trainer.spec.ModelSpec;

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
        JsonNode t = spec.testSection();
        for (String key : new String[] {"nms_pre", "score_thr", "nms_iou", "max_per_img"}) {
            if (!t.hasNonNull(key)) {
                throw new IllegalArgumentException(spec.file() + ": missing key 'test." + key + "'");
            }
        }
        return new PostprocessConfig(t.get("nms_pre").asInt(), (float) t.get("score_thr").asDouble(),
                t.get("nms_iou").asDouble(), t.get("max_per_img").asInt());
    }
}
