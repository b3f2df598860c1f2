package org.aligndet.trainer.family;

import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.infer.PostprocessConfig;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.spec.AnchorSpec;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.SpecException;
import org.aligndet.trainer.spec.TwoStageSpec;
import org.aligndet.trainer.twostage.RpnProposals;

/** A two-stage spec ({@link ModelSpec#twoStage}, its RPN anchors and {@code test} section) as the family's rules. */
final class TwoStageSpecs {
    private TwoStageSpecs() {
    }

    static TwoStageFamily family(ModelSpec spec) {
        AnchorSpec a = spec.anchors();
        TwoStageSpec t = spec.twoStage();
        AnchorGenerator anchors = new AnchorGenerator(a.octaveBaseScale(), a.scalesPerOctave(), a.ratios(), a.strides(),
                a.centerOffset());
        var test = spec.testSection();
        for (String key : new String[] {"score_thr", "nms_iou", "max_per_img"}) {
            if (!test.hasNonNull(key)) {
                throw new SpecException(spec.file() + ": missing key 'test." + key + "'");
            }
        }
        PostprocessConfig cfg = new PostprocessConfig(-1, (float) test.get("score_thr").asDouble(), test.get("nms_iou").asDouble(),
                test.get("max_per_img").asInt());
        return new TwoStageFamily(spec, t, anchors, proposals(t.rpnTrain()), proposals(t.rpnTest()),
                new DeltaXYWHCoder(t.roiMeans(), t.roiStds()), cfg);
    }

    private static RpnProposals proposals(TwoStageSpec.Proposals p) {
        return new RpnProposals(p.nmsPre(), p.nmsIou(), p.maxPerImg(), DeltaXYWHCoder.unit());
    }
}
