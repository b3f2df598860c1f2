package org.aligndet.trainer.twostage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.onnx.InitializerInfo;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.tensor.TensorBundle;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.family.TwoStageFamily;
import org.aligndet.trainer.model.TwoStageDetector;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed two-stage graphs against the generator's fixtures: every stage method's outputs on
 * the fixture input, the RoI head on pooled features the generator made with torchvision's
 * {@code roi_align}, and the Java {@link RoiExtractor} against that same pooling (level mapping
 * included). The ONNX template carries every parameter as an initializer of the same name and shape.
 */
class TwoStageGraphTest {
    static final ModelSpecs SPECS = ModelSpecs.locate();

    @ParameterizedTest
    @ValueSource(strings = {"faster_rcnn_tiny", "mask_rcnn_tiny"})
    void stageMethodsAndJavaPoolingMatchTheFixtures(String name) throws Exception {
        ModelSpec spec = SPECS.load(name);
        TwoStageFamily family = (TwoStageFamily) DetectorFamily.of(spec);
        Map<String, HostTensor> fx = TensorBundle.read(SPECS.fixtures(name).resolve("graph"));
        try (TorchGraph g = TorchGraph.load(SPECS.graph(name), Device.cpu());
             NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TwoStageDetector det = family.detector(g);
            NDArray x = NdTensors.toNd(nd, fx.get("input"));
            TwoStageDetector.RpnOutputs rpn = det.rpn(x, false, false);
            int levels = spec.numLevels();
            assertEquals(levels, rpn.pyramid().size());
            for (int l = 0; l < levels; l++) {
                close(rpn.pyramid().get(l), fx.get("neck." + l), name + " neck." + l);
                close(rpn.objectness().get(l), fx.get("rpn." + l), name + " rpn objectness " + l);
                close(rpn.deltas().get(l), fx.get("rpn." + (levels + l)), name + " rpn deltas " + l);
            }
            float[] rois = fx.get("rois").toFloats();
            NDArray pooled = family.boxExtractor().apply(rpn.pyramid(), rois);
            close(pooled, fx.get("pooled"), name + " Java RoIAlign against torchvision's");
            TwoStageDetector.RoiOutputs roi = det.roiHead(NdTensors.toNd(nd, fx.get("pooled")), false);
            close(roi.features(), fx.get("roi_head.0"), name + " roi_head features");
            close(roi.deltas(), fx.get("roi_head.1"), name + " roi_head deltas");
            close(det.classify(roi.features(), false), fx.get("classify.0"), name + " classify");
            if (family.hasMasks()) {
                close(family.maskExtractor().apply(rpn.pyramid(), rois), fx.get("mask_pooled"), name + " Java mask RoIAlign");
                close(det.maskHead(NdTensors.toNd(nd, fx.get("mask_pooled")), false), fx.get("mask_head.0"), name + " mask_head");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"faster_rcnn_tiny", "mask_rcnn_tiny"})
    void onnxTemplateCarriesEveryParameterByName(String name) throws Exception {
        OnnxModel onnx = OnnxModel.load(SPECS.onnxTemplate(name));
        Map<String, long[]> inits = new LinkedHashMap<>();
        for (InitializerInfo i : onnx.initializers()) {
            inits.put(i.name(), i.shape());
        }
        try (TorchGraph g = TorchGraph.load(SPECS.graph(name), Device.cpu())) {
            g.parameters().forEach((p, v) -> {
                assertNotNull(inits.get(p), name + ".onnx lacks initializer " + p);
                assertArrayEquals(v.getShape().getShape(), inits.get(p), p);
            });
        }
    }

    /** numpy-style closeness as in GraphSpecConformanceTest: |x - y| <= 1e-3 |y| + 1e-4 max|y|. */
    static void close(NDArray a, HostTensor want, String what) {
        org.aligndet.trainer.testing.Reference.assertCloseToFixture(a, want, what);
    }
}
