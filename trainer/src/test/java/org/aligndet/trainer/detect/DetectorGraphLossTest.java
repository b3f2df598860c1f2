package org.aligndet.trainer.detect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.testing.Autograd;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The committed tiny graphs' head and classifier outputs feed the losses, and gradients reach the head's weights. */
class DetectorGraphLossTest {
    static final ModelSpecs SPECS = ModelSpecs.locate();

    @ParameterizedTest
    @ValueSource(strings = {"retinanet_tiny", "fcos_tiny"})
    void lossesBackPropagateIntoTheHead(String name) {
        ModelSpec spec = SPECS.load(name);
        try (NDManager m = Autograd.manager();
             DenseDetector det = DetectorFamily.dense(spec).detector(TorchGraph.load(SPECS.graph(name), Device.cpu()))) {
            det.graph().setTraining(true);
            NDArray images = m.randomNormal(new Shape(2, 3, 64, 96));
            List<GtBoxes> gts = List.of(new GtBoxes(new float[] {4, 6, 40, 50, 30, 10, 90, 60}, new int[] {1, spec.numClasses() - 1}),
                    GtBoxes.empty());
            Map<String, Double> values;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                HeadOutputs head = det.head(images, true, false);
                NDList logits = det.classify(head.clsFeats(), true);
                LossTerms terms = DenseSupervisedLoss.of(DetectorFamily.dense(spec)).compute(head, logits, gts, null);
                values = terms.values();
                gc.backward(terms.total());
            }
            values.forEach((k, v) -> assertTrue(Double.isFinite(v) && v > 0, name + " " + k + " = " + v));
            String reg = name.startsWith("retinanet") ? "bbox_head.retina_reg.weight" : "bbox_head.conv_reg.weight";
            for (String p : List.of(DetectorFamily.dense(spec).classifierBias(), reg)) {
                assertTrue(det.graph().gradient(p).abs().sum().getFloat() > 0, name + ": no gradient on " + p);
            }
        }
    }
}
