package org.aligndet.export.check;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.export.predict.ImageRef;
import org.aligndet.trainer.spec.ModelSpecs;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * Checkpoints and images for check tests. A checkpoint is a committed tiny graph's own state dict
 * with a deterministic perturbation ({@code w + 0.02 sin(0.7 i + k)} for the k-th tensor; running
 * variances scaled by {@code 1 + 0.1 sin(...)}), the classifier bias set to 0 so that scores sit
 * well above the 0.05 threshold (the committed bias is the focal prior, ~0.01), and the box
 * regressor's weights scaled by 0.05 so that boxes stay near their priors instead of collapsing
 * flat against the image border.
 */
final class CheckFixtures {
    static final ModelSpecs SPECS = ModelSpecs.locate();

    private CheckFixtures() {
    }

    static List<String> classes(String spec) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < SPECS.load(spec).numClasses(); i++) {
            out.add("class" + i);
        }
        return out;
    }

    static Path checkpoint(String spec, Path file) throws IOException {
        Map<String, HostTensor> sd = new LinkedHashMap<>();
        try (TorchGraph g = TorchGraph.load(SPECS.graph(spec), Device.cpu())) {
            int k = 0;
            for (Map.Entry<String, HostTensor> e : g.stateDict().entrySet()) {
                float[] v = e.getValue().toFloats();
                boolean var = e.getKey().endsWith("running_var");
                boolean clsBias = e.getKey().equals("bbox_head.retina_cls.bias") || e.getKey().equals("bbox_head.conv_cls.bias");
                boolean regWeight = e.getKey().equals("bbox_head.retina_reg.weight") || e.getKey().equals("bbox_head.conv_reg.weight");
                for (int i = 0; i < v.length; i++) {
                    double s = Math.sin(0.7 * i + k);
                    v[i] = clsBias ? 0f : var ? (float) (v[i] * (1 + 0.1 * s)) : (float) (v[i] + 0.02 * s);
                    v[i] = regWeight ? 0.05f * v[i] : v[i];
                }
                sd.put(e.getKey(), HostTensor.ofFloats(e.getValue().shape(), v));
                k++;
            }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("spec", spec);
        meta.put("stage", "finetune");
        meta.put("classes", new ArrayList<Object>(classes(spec)));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", sd);
        root.put("meta", meta);
        TorchCheckpoint.write(file, root);
        return file;
    }

    /** {@code n} PNGs of different sizes with a few filled shapes; ids 1..n. */
    static List<ImageRef> images(Path dir, int n) {
        List<ImageRef> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int w = 160 + 40 * i, h = 120 + 30 * (i % 3);
            try (Mat m = new Mat(h, w, CV_8UC3, new Scalar(30 + 20 * i, 90, 160 - 10 * i, 0))) {
                for (int r = 0; r < 3; r++) {
                    int x = 10 + (37 * (i + r)) % (w / 2), y = 10 + (23 * (i + 2 * r)) % (h / 2);
                    opencv_imgproc.rectangle(m, new Point(x, y), new Point(x + 30 + 10 * r, y + 25 + 5 * r),
                            new Scalar(250 - 60 * r, 40 * r, 200, 0), -1, opencv_imgproc.LINE_8, 0);
                }
                Path f = dir.resolve("img" + i + ".png");
                opencv_imgcodecs.imwrite(f.toString(), m);
                out.add(new ImageRef(i + 1, f.getFileName().toString(), f));
            }
        }
        return out;
    }
}
