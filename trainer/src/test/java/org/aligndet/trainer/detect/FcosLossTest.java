package org.aligndet.trainer.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.assign.FcosAssigner;
import org.aligndet.trainer.family.BoxIoULoss;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.family.FcosFamily;
import org.aligndet.trainer.family.Stage;
import org.aligndet.trainer.loss.SigmoidFocalLoss;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.prior.PointGenerator;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.testing.Autograd;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FcosLossTest {
    static final JsonNode REF = Reference.load("supervised_fcos");
    static final int K = REF.get("numClasses").asInt();
    static final int N = REF.get("batch").asInt();
    NDManager m;
    List<NDArray> cls;
    List<NDArray> box;
    List<NDArray> ctr;
    PriorLayout layout;

    @BeforeEach
    void setUp() {
        m = Autograd.manager();
        JsonNode sizes = REF.get("levelSizes");
        cls = LevelMaps.leaves(m, REF.get("cls"), sizes, N, K);
        box = LevelMaps.leaves(m, REF.get("box"), sizes, N, 4);
        ctr = LevelMaps.leaves(m, REF.get("centerness"), sizes, N, 1);
        layout = new PriorLayout(N, 1, LevelMaps.heights(sizes), LevelMaps.widths(sizes));
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    static final ModelSpec SPEC = ModelSpec.load(Reference.root().resolve("model-specs/fcos_tiny.json"));

    /** The FCOS family's rules with the fixture's strides (box loss {@code variant} when fine-tuning), and its supervised loss. */
    static DenseSupervisedLoss loss(BoxIoULoss variant) {
        FcosFamily family = new FcosFamily(SPEC, new PointGenerator(Reference.ints(REF.get("strides"))), FcosAssigner.fcos(), true,
                BoxIoULoss.IOU, variant, null);
        return new DenseSupervisedLoss(family, new SigmoidFocalLoss(), K);
    }

    HeadOutputs head() {
        return new HeadOutputs(List.of(), box, ctr, layout);
    }

    static void assertTerm(JsonNode c, Map<String, Double> v, String name) {
        double e = c.get(name).asDouble();
        assertEquals(e, v.get(name), Reference.TOL * Math.max(1, Math.abs(e)), name);
    }

    @ParameterizedTest
    @EnumSource(BoxIoULoss.class)
    void valuesAndGradientsMatchPyTorch(BoxIoULoss variant) {
        JsonNode c = REF.get(variant.name().toLowerCase());
        Map<String, Double> v = LevelMaps.backward(() -> loss(variant).compute(head(), cls, LevelMaps.gts(REF), null));
        assertEquals(List.of("loss_cls", "loss_bbox", "loss_centerness"), List.copyOf(v.keySet()));
        assertTerm(c, v, "loss_cls");
        assertTerm(c, v, "loss_bbox");
        assertTerm(c, v, "loss_centerness");
        LevelMaps.assertGrads(c.get("gradCls"), cls, variant + " d loss / d logits");
        LevelMaps.assertGrads(c.get("gradBox"), box, variant + " d loss / d distances");
        LevelMaps.assertGrads(c.get("gradCenterness"), ctr, variant + " d loss / d centerness");
    }

    @Test
    void positivesMatchPyTorch() {
        DenseSupervisedLoss.Targets t = loss(BoxIoULoss.GIOU).targets(layout, LevelMaps.gts(REF), null);
        assertEquals(REF.get("giou").get("numPos").asInt(), t.positives().size());
        double sum = 0;
        for (float c : t.positives().centerness()) {
            assertTrue(c > 0 && c <= 1, "centerness " + c);
            sum += c;
        }
        assertEquals(REF.get("giou").get("centernessDenorm").asDouble(), sum, 1e-4);
        // several levels take positives
        assertTrue(java.util.Arrays.stream(t.positives().rows()).anyMatch(r -> r >= (long) N * layout.height(0) * layout.width(0)));
    }

    @Test
    void imageWithoutGtsHasOnlyNegatives() {
        DenseSupervisedLoss.Targets t = loss(BoxIoULoss.GIOU).targets(layout, LevelMaps.gts(REF), null);
        for (int p = 0; p < layout.priorsPerImage(); p++) {
            assertEquals(K, t.labels()[(int) layout.boxRow(1, p)], "point " + p);
        }
        LevelMaps.backward(() -> loss(BoxIoULoss.GIOU).compute(head(), cls, LevelMaps.gts(REF), null));
        for (int l = 0; l < layout.levels(); l++) {
            assertEquals(0f, box.get(l).getGradient().get(1).abs().sum().getFloat());
            assertEquals(0f, ctr.get(l).getGradient().get(1).abs().sum().getFloat());
            assertTrue(cls.get(l).getGradient().get(1).abs().sum().getFloat() > 0);
        }
    }

    @Test
    void noPositivesGivesZeroRegressionTerms() {
        List<GtBoxes> none = List.of(GtBoxes.empty(), GtBoxes.empty(), GtBoxes.empty());
        Map<String, Double> v = LevelMaps.backward(() -> loss(BoxIoULoss.GIOU).compute(head(), cls, none, null));
        assertEquals(0.0, v.get("loss_bbox"));
        assertEquals(0.0, v.get("loss_centerness"));
        assertTrue(v.get("loss_cls") > 0);
        for (NDArray b : box) {
            assertEquals(0f, b.getGradient().abs().sum().getFloat());
        }
    }

    @Test
    void theSpecsFamilyReadsTheHead() {
        FcosFamily family = (FcosFamily) DetectorFamily.dense(SPEC);
        assertEquals(BoxIoULoss.GIOU, family.boxLoss(Stage.FINETUNE));
        assertEquals(BoxIoULoss.IOU, family.boxLoss(Stage.PRETRAIN));
        DenseSupervisedLoss.Targets t = DenseSupervisedLoss.of(family).targets(layout, LevelMaps.gts(REF), null);
        assertEquals(REF.get("giou").get("numPos").asInt(), t.positives().size());
        assertEquals(SPEC.numClasses(), t.labels()[(int) layout.boxRow(1, 0)]);
        ModelSpec retina = ModelSpec.load(Reference.root().resolve("model-specs/retinanet_tiny.json"));
        assertThrows(IllegalArgumentException.class,
                () -> DenseSupervisedLoss.of(DetectorFamily.dense(retina)).targets(layout, LevelMaps.gts(REF), null));
        assertEquals(BoxIoULoss.IOU, BoxIoULoss.parse("iou", "loss_bbox"));
        assertThrows(IllegalArgumentException.class, () -> BoxIoULoss.parse("l2", "loss_bbox"));
    }

    @Test
    void wrongShapesAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss(BoxIoULoss.GIOU).compute(new HeadOutputs(List.of(), box, ctr, layout), box, LevelMaps.gts(REF), null));
        assertTrue(e.getMessage().contains("logits level 0"), e.getMessage());
    }
}
