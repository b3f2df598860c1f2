package org.aligndet.trainer.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.NdTensors;

/** The image-domain stage's linear classifier on pooled backbone features: logits = x W^T + b, W ~ N(0, 0.01). */
final class CropClassifier {
    private final Map<String, NDArray> params = new LinkedHashMap<>();

    CropClassifier(NDManager m, int channels, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed + 17);
        float[] w = new float[classes * channels];
        for (int i = 0; i < w.length; i++) {
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            w[i] = (float) (0.01 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        NDArray weight = m.create(w, new Shape(classes, channels));
        NDArray bias = m.zeros(new Shape(classes));
        weight.setRequiresGradient(true);
        bias.setRequiresGradient(true);
        params.put("classifier.weight", weight);
        params.put("classifier.bias", bias);
    }

    /** x {@code [N, C]} → logits {@code [N, K]}. */
    NDArray forward(NDArray x) {
        return x.matMul(params.get("classifier.weight").transpose()).add(params.get("classifier.bias"));
    }

    Map<String, NDArray> parameters() {
        return params;
    }

    Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, NdTensors.toHost(v)));
        return out;
    }
}
