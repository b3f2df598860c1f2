package org.aligndet.trainer.family;

import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.infer.PostprocessConfig;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.spec.AnchorSpec;
import org.aligndet.trainer.spec.ModelSpec;
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
        PostprocessConfig cfg = PostprocessConfig.from(spec, false);
        return new TwoStageFamily(spec, t, anchors, proposals(t.rpnTrain()), proposals(t.rpnTest()),
                new DeltaXYWHCoder(t.roiMeans(), t.roiStds()), cfg);
    }

    private static RpnProposals proposals(TwoStageSpec.Proposals p) {
        return new RpnProposals(p.nmsPre(), p.nmsIou(), p.maxPerImg(), DeltaXYWHCoder.unit());
    }
}
