package org.aligndet.trainer.infer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.aligndet.trainer.coder.DeltaXYWHCoder;
import org.aligndet.trainer.prior.AnchorGenerator;
import org.junit.jupiter.api.Test;

/**
 * Not a unit test: post-processing time per image for RetinaNet-R50-sized outputs (1344x800 input,
 * 5 levels, 9 anchors, 80 classes, ~151k anchors). Run with -Dtest=PostprocessBench.
 */
class PostprocessBench {
    @Test
    void retinaNetR50Sized() {
        int[] strides = {8, 16, 32, 64, 128};
        int h = 800, w = 1344, k = 80, a = 9;
        DensePostprocess post = DensePostprocess.retinaNet(k, AnchorGenerator.retinaNet(strides), DeltaXYWHCoder.unit(),
                new PostprocessConfig(1000, 0.05f, 0.5, 100));
        // "untrained": logits N(0, 1), every pair above the threshold (worst case for NMS);
        // "trained-like": logits N(-6, 1.5), a few hundred pairs above it
        for (double[] logit : new double[][] {{0, 1}, {-6, 1.5}}) {
            HeadMaps maps = maps(strides, h, w, k, a, logit[0], logit[1], new Random(1));
            int anchors = 0;
            for (HeadMaps.Level l : maps.box()) {
                anchors += l.height() * l.width() * a;
            }
            for (int i = 0; i < 3; i++) {
                post.image(maps, 0, h, w); // warm-up
            }
            int reps = 10;
            long t0 = System.nanoTime();
            int dets = 0;
            for (int i = 0; i < reps; i++) {
                dets += post.image(maps, 0, h, w).size();
            }
            double ms = (System.nanoTime() - t0) / 1e6 / reps;
            System.out.printf("logits N(%.0f, %.1f): %d anchors x %d classes: %.1f ms/image, %d detections%n",
                    logit[0], logit[1], anchors, k, ms, dets / reps);
        }
    }

    static HeadMaps maps(int[] strides, int h, int w, int k, int a, double mean, double sd, Random r) {
        List<HeadMaps.Level> cls = new ArrayList<>(), box = new ArrayList<>();
        for (int s : strides) {
            int lh = (h + s - 1) / s, lw = (w + s - 1) / s;
            float[] c = new float[a * k * lh * lw];
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) (mean + sd * r.nextGaussian());
            }
            float[] b = new float[a * 4 * lh * lw];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (0.5 * r.nextGaussian());
            }
            cls.add(new HeadMaps.Level(c, 1, a * k, lh, lw));
            box.add(new HeadMaps.Level(b, 1, a * 4, lh, lw));
        }
        return new HeadMaps(cls, box, List.of());
    }
}
