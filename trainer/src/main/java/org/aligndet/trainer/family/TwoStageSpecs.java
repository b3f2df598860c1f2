package org.aligndet.trainer.family;

import com.fasterxml.jackson.databind.JsonNode;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.infer.PostprocessConfig;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.spec.Family;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.SpecException;
import org.aligndet.trainer.twostage.RpnProposals;

/** A two-stage spec's {@code rpn_head}, {@code roi_head} and {@code test} sections as the family's rules. */
final class TwoStageSpecs {
    private TwoStageSpecs() {
    }

    static TwoStageFamily family(ModelSpec spec) {
        JsonNode rpn = spec.section("rpn_head");
        JsonNode anchor = rpn.path("anchor");
        int[] strides = ints(spec, anchor.path("strides"), "rpn_head.anchor.strides", new int[] {4, 8, 16, 32, 64});
        double[] scales = doubles(anchor.path("scales"), new double[] {8});
        if (scales.length != 1) {
            throw new SpecException(spec.file() + ": rpn_head.anchor.scales: one scale expected, got " + scales.length);
        }
        double[] ratios = doubles(anchor.path("ratios"), new double[] {0.5, 1.0, 2.0});
        AnchorGenerator anchors = new AnchorGenerator(scales[0], 1, ratios, strides, anchor.path("center_offset").asDouble(0));
        RpnProposals train = proposals(rpn.path("train"), 2000);
        RpnProposals test = proposals(rpn.path("test"), 1000);
        JsonNode roi = spec.section("roi_head");
        int[] roiStrides = ints(spec, roi.path("featmap_strides"), "roi_head.featmap_strides",
                java.util.Arrays.copyOf(strides, Math.min(4, strides.length)));
        JsonNode coder = roi.path("bbox_coder");
        DeltaXYWHCoder roiCoder = new DeltaXYWHCoder(floats(coder.path("target_means"), new float[] {0, 0, 0, 0}),
                floats(coder.path("target_stds"), new float[] {0.1f, 0.1f, 0.2f, 0.2f}));
        JsonNode t = spec.testSection();
        PostprocessConfig cfg = new PostprocessConfig(-1, (float) t.path("score_thr").asDouble(0.05),
                t.path("nms_iou").asDouble(0.5), t.path("max_per_img").asInt(100));
        int fc = roi.path("fc_out_channels").asInt(1024);
        return new TwoStageFamily(spec, spec.family() == Family.MASK_RCNN, anchors, strides, roiStrides, train, test, roiCoder,
                cfg, (float) t.path("mask_thr").asDouble(0.5), fc);
    }

    private static RpnProposals proposals(JsonNode n, int nmsPre) {
        return new RpnProposals(n.path("nms_pre").asInt(nmsPre), (float) n.path("nms_iou").asDouble(0.7),
                n.path("max_per_img").asInt(1000), DeltaXYWHCoder.unit());
    }

    private static int[] ints(ModelSpec spec, JsonNode n, String key, int[] dflt) {
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (!n.isArray() || n.isEmpty()) {
            throw new SpecException(spec.file() + ": '" + key + "' must be a non-empty list of integers");
        }
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }

    private static double[] doubles(JsonNode n, double[] dflt) {
        if (!n.isArray()) {
            return dflt;
        }
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    private static float[] floats(JsonNode n, float[] dflt) {
        if (!n.isArray()) {
            return dflt;
        }
        float[] out = new float[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) n.get(i).asDouble();
        }
        return out;
    }
}
