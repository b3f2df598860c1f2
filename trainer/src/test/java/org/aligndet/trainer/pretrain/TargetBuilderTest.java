package org.aligndet.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.augment.BoxList;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

/** AlignDet's box targets: the family's own assignment, then positives first and background to fill the cap. */
class TargetBuilderTest {
    static final ModelSpec SPEC = ModelSpec.load(Reference.root().resolve("model-specs/retinanet_tiny.json"));
    static final DenseFamily FAMILY = DetectorFamily.dense(SPEC);
    /** One 128 x 128 image: levels of 16, 8, 4, 2, 1 locations a side, 9 anchors each. */
    static final PriorLayout LAYOUT = new PriorLayout(1, 9, new int[] {16, 8, 4, 2, 1}, new int[] {16, 8, 4, 2, 1});

    static BoxList proposals() {
        return new BoxList(new float[] {10, 12, 60, 70, 70, 20, 120, 110}, new long[] {3, 8}, new int[] {-1, -1});
    }

    @Test
    void backgroundFillsTheCapWhenPositivesAreFewer() {
        ViewTargets t = new TargetBuilder(FAMILY, 256, 1.0).build(LAYOUT, List.of(proposals()), null, new SplittableRandom(1));
        assertTrue(t.positives() > 0 && t.positives() < 256, "positives " + t.positives());
        assertEquals(256, t.size(), "the cap is filled");
        assertEquals(256 - t.positives(), t.background());
        for (int i = 0; i < t.size(); i++) {
            assertEquals(i < t.positives(), t.ids()[i] != ViewTargets.BACKGROUND, "entry " + i);
        }
        assertEquals(t.positives(), t.positivesPerImage()[0]);
    }

    @Test
    void thePositiveFractionCapsPositivesAndLeavesRoomForBackground() {
        ViewTargets all = new TargetBuilder(FAMILY, 16, 1.0).build(LAYOUT, List.of(proposals()), null, new SplittableRandom(1));
        assertEquals(16, all.positives(), "positives alone fill a small cap");
        assertEquals(0, all.background());
        ViewTargets half = new TargetBuilder(FAMILY, 16, 0.5).build(LAYOUT, List.of(proposals()), null, new SplittableRandom(1));
        assertEquals(8, half.positives());
        assertEquals(8, half.background());
    }

    @Test
    void idsCarryTheImageAndTheProposal() {
        ViewTargets t = new TargetBuilder(FAMILY, 64, 1.0).build(LAYOUT, List.of(proposals()), null, new SplittableRandom(2));
        for (int i = 0; i < t.positives(); i++) {
            long id = t.ids()[i];
            assertEquals(0, id >>> 32);
            assertTrue((id & 0xffffffffL) == 3 || (id & 0xffffffffL) == 8, "proposal id " + id);
        }
    }
}
