package org.aligndet.export.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.onnx.InitializerInfo;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.trainer.spec.ModelSpecs;

/**
 * Checkpoints of the tiny RetinaNet for tests, in the layout training writes: the template's own
 * weights with a deterministic perturbation ({@code w + 0.02 sin(0.7 i + k)} for the k-th tensor;
 * running variances scaled by {@code 1 + 0.1 sin(...)} so they stay positive), and the
 * classification bias raised by 4 so that the model detects plenty on any image.
 */
public final class TinyCheckpoints {
    public static final String SPEC = "retinanet_tiny";
    /** The synthetic benchmark's classes, so exported models score on {@code aligndet synth} data by name. */
    public static final List<String> CLASSES = org.aligndet.trainer.synth.ShapeClass.classNames();

    private TinyCheckpoints() {
    }

    public static ModelSpecs specs() {
        return ModelSpecs.locate();
    }

    /** The template's initializers, unchanged. */
    public static Map<String, HostTensor> templateWeights() {
        OnnxModel m = OnnxModel.load(specs().onnxTemplate(SPEC));
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (InitializerInfo i : m.initializers()) {
            out.put(i.name(), m.initializer(i.name()));
        }
        return out;
    }

    /** The perturbed weights described above. */
    public static Map<String, HostTensor> perturbedWeights() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        int k = 0;
        for (Map.Entry<String, HostTensor> e : templateWeights().entrySet()) {
            float[] v = e.getValue().toFloats();
            boolean var = e.getKey().endsWith("running_var");
            for (int i = 0; i < v.length; i++) {
                double s = Math.sin(0.7 * i + k);
                v[i] = var ? (float) (v[i] * (1 + 0.1 * s)) : (float) (v[i] + 0.02 * s);
            }
            if (e.getKey().equals("bbox_head.retina_cls.bias")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] += 4f;
                }
            }
            out.put(e.getKey(), HostTensor.ofFloats(e.getValue().shape(), v));
            k++;
        }
        return out;
    }

    /** This project's checkpoint layout around a state dict. */
    public static Map<String, Object> root(Map<String, HostTensor> stateDict) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("spec", SPEC);
        meta.put("stage", "finetune");
        meta.put("classes", new ArrayList<Object>(CLASSES));
        meta.put("recipe", "finetune lr=0.0075 wd=5e-05 from AlignDet pre-training");
        meta.put("iter", 1234L);
        meta.put("aligndet_pretrained", true);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", stateDict);
        root.put("meta", meta);
        return root;
    }

    /** Writes {@link #root} of the perturbed weights to {@code file}. */
    public static Path writePerturbed(Path file) throws IOException {
        TorchCheckpoint.write(file, root(perturbedWeights()));
        return file;
    }
}
