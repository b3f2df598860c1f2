package org.aligndet.trainer.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.assign.MaxIoUAssigner;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.family.RetinaNetFamily;
import org.aligndet.trainer.loss.SigmoidFocalLoss;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.testing.Autograd;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetinaNetLossTest {
    static final JsonNode REF = Reference.load("supervised_retinanet");
    static final int K = REF.get("numClasses").asInt();
    static final int A = REF.get("anchorsPerLocation").asInt();
    static final int N = REF.get("batch").asInt();
    NDManager m;
    List<NDArray> cls;
    List<NDArray> box;
    PriorLayout layout;

    @BeforeEach
    void setUp() {
        m = Autograd.manager();
        JsonNode sizes = REF.get("levelSizes");
        cls = LevelMaps.leaves(m, REF.get("cls"), sizes, N, A * K);
        box = LevelMaps.leaves(m, REF.get("box"), sizes, N, A * 4);
        layout = new PriorLayout(N, A, LevelMaps.heights(sizes), LevelMaps.widths(sizes));
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    static final ModelSpec SPEC = ModelSpec.load(Reference.root().resolve("model-specs/retinanet_tiny.json"));

    /** The RetinaNet family's rules with the fixture's strides, and its supervised loss. */
    static DenseSupervisedLoss loss() {
        RetinaNetFamily family = new RetinaNetFamily(SPEC, AnchorGenerator.retinaNet(Reference.ints(REF.get("strides"))),
                MaxIoUAssigner.retinaNet(), DeltaXYWHCoder.unit(), null);
        return new DenseSupervisedLoss(family, new SigmoidFocalLoss(), K);
    }

    static List<int[]> padShapes() {
        List<int[]> out = new ArrayList<>();
        REF.get("padShapes").forEach(p -> out.add(new int[] {p.get(0).asInt(), p.get(1).asInt()}));
        return out;
    }

    HeadOutputs head() {
        return new HeadOutputs(List.of(), box, List.of(), layout);
    }

    @Test
    void valuesAndGradientsMatchPyTorch() {
        Map<String, Double> v = LevelMaps.backward(() -> loss().compute(head(), cls, LevelMaps.gts(REF), padShapes()));
        assertEquals(List.of("loss_cls", "loss_bbox"), List.copyOf(v.keySet()));
        assertEquals(REF.get("loss_cls").asDouble(), v.get("loss_cls"), Reference.TOL * Math.max(1, v.get("loss_cls")));
        assertEquals(REF.get("loss_bbox").asDouble(), v.get("loss_bbox"), Reference.TOL * Math.max(1, v.get("loss_bbox")));
        LevelMaps.assertGrads(REF.get("gradCls"), cls, "d loss / d logits");
        LevelMaps.assertGrads(REF.get("gradBox"), box, "d loss / d deltas");
    }

    @Test
    void positivesAndAverageFactorMatchPyTorch() {
        DenseSupervisedLoss.Targets t = loss().targets(layout, LevelMaps.gts(REF), padShapes());
        assertArrayEquals(Reference.ints(REF.get("numPos")), t.numPos());
        assertEquals(REF.get("avgFactor").asDouble(), t.avgFactor());
        assertEquals(t.positives().size() * 4, t.positives().targets().length);
    }

    @Test
    void imageWithoutGtsHasOnlyNegatives() {
        DenseSupervisedLoss.Targets t = loss().targets(layout, LevelMaps.gts(REF), padShapes());
        assertEquals(0, t.numPos()[1]);
        for (int p = 0; p < layout.priorsPerImage(); p++) {
            int row = (int) layout.boxRow(1, p);
            assertEquals(K, t.labels()[row], "prior " + p);
            assertFalse(ignored(t, row), "prior " + p);
        }
        // its box outputs get no gradient; its logits do
        LevelMaps.backward(() -> loss().compute(head(), cls, LevelMaps.gts(REF), padShapes()));
        for (int l = 0; l < layout.levels(); l++) {
            for (float g : box.get(l).getGradient().get(1).toFloatArray()) {
                assertEquals(0f, g);
            }
            assertTrue(cls.get(l).getGradient().get(1).abs().sum().getFloat() > 0);
        }
    }

    @Test
    void anchorsOutsideThePadShapeTakeNoLoss() {
        DenseSupervisedLoss.Targets withPads = loss().targets(layout, LevelMaps.gts(REF), padShapes());
        DenseSupervisedLoss.Targets allValid = loss().targets(layout, LevelMaps.gts(REF), null);
        // image 0 is 32 wide in a 64-wide batch: at stride 8 only x < 4 is valid
        int w0 = layout.width(0);
        for (int x = 0; x < w0; x++) {
            int row = (int) layout.boxRow(0, x * A);
            assertEquals(x >= 4, ignored(withPads, row), "x " + x);
            assertFalse(ignored(allValid, (int) layout.boxRow(1, x * A)), "x " + x);
        }
    }

    private static boolean ignored(DenseSupervisedLoss.Targets t, int row) {
        return java.util.Arrays.stream(t.ignoredRows()).anyMatch(r -> r == row);
    }

    @Test
    void noGtsAnywhereGivesZeroBoxLossAndFocalOverAllAnchors() {
        List<GtBoxes> none = List.of(GtBoxes.empty(), GtBoxes.empty(), GtBoxes.empty());
        Map<String, Double> v = LevelMaps.backward(() -> loss().compute(head(), cls, none, null));
        assertEquals(0.0, v.get("loss_bbox"));
        assertTrue(v.get("loss_cls") > 0);
        for (NDArray b : box) {
            assertEquals(0f, b.getGradient().abs().sum().getFloat());
        }
    }

    @Test
    void theSpecsFamilyGivesTheSamePositives() {
        DenseSupervisedLoss fromSpec = DenseSupervisedLoss.of(DetectorFamily.dense(SPEC));
        // same anchors and assigner: the same positives as the typed construction on the fixture's batch
        DenseSupervisedLoss.Targets t = fromSpec.targets(layout, LevelMaps.gts(REF), padShapes());
        assertArrayEquals(Reference.ints(REF.get("numPos")), t.numPos());
        assertEquals(SPEC.numClasses(), t.labels()[(int) layout.boxRow(1, 0)]);
        ModelSpec fcos = ModelSpec.load(Reference.root().resolve("model-specs/fcos_tiny.json"));
        assertThrows(IllegalArgumentException.class, () -> fromSpec.targets(new PriorLayout(N, 1, LevelMaps.heights(REF.get("levelSizes")),
                LevelMaps.widths(REF.get("levelSizes"))), LevelMaps.gts(REF), null));
        assertEquals(2, ((DenseFamily) DetectorFamily.of(SPEC)).headGroups());
        assertEquals(3, ((DenseFamily) DetectorFamily.of(fcos)).headGroups());
    }

    @Test
    void wrongShapesAreErrors() {
        List<NDArray> twoLevels = cls.subList(0, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss().compute(head(), twoLevels, LevelMaps.gts(REF), null));
        assertTrue(e.getMessage().contains("levels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> loss().compute(head(), cls, LevelMaps.gts(REF).subList(0, 2), null));
    }

    /** Plain gradient descent on the head outputs themselves; the normaliser is ~70 positives, hence the step. */
    static final float LR = 20f;

    @Test
    void gradientStepsLowerTheLoss() {
        List<GtBoxes> gts = LevelMaps.gts(REF);
        double first = 0, last = Double.POSITIVE_INFINITY;
        for (int step = 0; step < 8; step++) {
            double total = LevelMaps.backward(() -> loss().compute(head(), cls, gts, padShapes()))
                    .values().stream().mapToDouble(Double::doubleValue).sum();
            assertTrue(total < last, "step " + step + ": " + last + " -> " + total);
            if (step == 0) {
                first = total;
            }
            last = total;
            List<NDArray> next = new ArrayList<>();
            for (List<NDArray> maps : List.of(cls, box)) {
                for (NDArray x : maps) {
                    NDArray y = x.sub(x.getGradient().mul(LR));
                    y.setRequiresGradient(true);
                    next.add(y);
                }
            }
            cls = next.subList(0, cls.size());
            box = next.subList(cls.size(), next.size());
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
    }
}
