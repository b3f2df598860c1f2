package org.aligndet.trainer.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.aligndet.trainer.mask.Rle;
import org.aligndet.trainer.mask.Segmentation;
import org.junit.jupiter.api.Test;

/** The COCO polygons the generator writes, rasterised as pycocotools does, against the drawn pixels. */
class SceneMasksTest {

    @Test
    void polygonsRasteriseToTheDrawnPixels() {
        double[] minIou = new double[ShapeClass.values().length];
        double[] sumIou = new double[minIou.length];
        int[] whole = new int[minIou.length];
        Arrays.fill(minIou, 1);
        int occluded = 0;
        for (int i = 0; i < 120; i++) {
            SplittableRandom rng = new SplittableRandom(1000 + i);
            int w = 160 + 8 * (i % 5);
            int h = 144 + 8 * (i % 7);
            Scene scene = SceneSampler.scene(w, h, rng);
            for (int k = 0; k < scene.objects().size(); k++) {
                Scene.Placed p = scene.objects().get(k);
                Rle drawn = drawn(scene.owner(), w, h, k);
                assertEquals(p.visibleArea(), drawn.area());
                Rle polygons = new Segmentation.Polygons(p.polygons()).toRle(h, w);
                double iou = Rle.iou(polygons, drawn, false);
                if (p.visibleArea() < p.fullArea()) {
                    // hidden in part: the visible pixels exactly
                    assertEquals(drawn, polygons, "scene " + i + " object " + k + " (occluded " + p.shape() + ")");
                    occluded++;
                } else {
                    int c = p.shape().ordinal();
                    minIou[c] = Math.min(minIou[c], iou);
                    sumIou[c] += iou;
                    whole[c]++;
                }
            }
        }
        StringBuilder report = new StringBuilder();
        for (ShapeClass c : ShapeClass.values()) {
            int o = c.ordinal();
            report.append(String.format("%s: %d objects, mean IoU %.4f, min %.4f%n", c, whole[o], sumIou[o] / whole[o], minIou[o]));
        }
        System.out.print(report);
        assertTrue(occluded > 0, "some objects are partly hidden");
        for (ShapeClass c : ShapeClass.values()) {
            assertTrue(whole[c.ordinal()] > 0, c + " drawn whole at least once");
            // measured over these 120 scenes: mean IoU 0.980 (star) to 0.994 (circle), smallest 0.942 (a small
            // star); what is lost is pycocotools' polygon rasterisation against pixel-centre sampling at the edges
            assertTrue(minIou[c.ordinal()] > 0.9, report.toString());
            assertTrue(sumIou[c.ordinal()] / whole[c.ordinal()] > 0.97, report.toString());
        }
    }

    /** Pixels owned by object {@code k}, as a mask. */
    static Rle drawn(int[] owner, int w, int h, int k) {
        boolean[] colMajor = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                colMajor[x * h + y] = owner[y * w + x] == k;
            }
        }
        return Rle.encode(h, w, colMajor);
    }
}
