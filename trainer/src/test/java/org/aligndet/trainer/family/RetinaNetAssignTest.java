package org.aligndet.trainer.family;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.aligndet.trainer.assign.Assignment;
import org.aligndet.trainer.assign.MaxIoUAssigner;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

/**
 * RetinaNet's per-image targets, whose assignable priors are prepared once per (layout, padded extent)
 * and kept, against the definition computed from scratch: every prior of the concatenated levels, the
 * valid ones picked by their location, a full-scan max-IoU assignment over them, invalid priors ignored.
 */
class RetinaNetAssignTest {
    static final ModelSpec SPEC = ModelSpec.load(Reference.root().resolve("model-specs/retinanet_tiny.json"));

    @Test
    void preparedPriorsGiveTheDefinitionsTargetsThroughHitsAndEvictions() {
        RetinaNetFamily family = RetinaNetFamily.fromSpec(SPEC);
        Random rng = new Random(7);
        List<int[]> pads = new ArrayList<>();
        pads.add(null);
        for (int h = 160; h <= 256; h += 32) { // 4 x 3 + 1 keys: more than the family keeps
            for (int w = 192; w <= 256; w += 32) {
                pads.add(new int[] {h, w});
            }
        }
        for (int round = 0; round < 3; round++) {
            for (int[] pad : pads) {
                for (int[] batch : new int[][] {{256, 256}, {256, 320}}) {
                    PriorLayout layout = layout(family, batch);
                    int[] extent = pad == null ? batch : pad;
                    float[] gts = boxes(rng, rng.nextInt(6), extent); // 0 to 5 boxes, some empty images
                    ImageTargets got = family.assign(layout, gts, pad);
                    ImageTargets want = definition(family, layout, gts, pad);
                    String at = "batch " + batch[0] + "x" + batch[1] + ", pad " + (pad == null ? "none" : pad[0] + "x" + pad[1]);
                    assertArrayEquals(want.gtIndex(), got.gtIndex(), "gtIndex, " + at);
                    assertArrayEquals(want.positives(), got.positives(), "positives, " + at);
                    assertArrayEquals(want.targets(), got.targets(), "targets, " + at);
                }
            }
        }
    }

    static PriorLayout layout(RetinaNetFamily family, int[] batch) {
        int levels = family.anchorGenerator().numLevels();
        int[] hs = new int[levels], ws = new int[levels];
        for (int l = 0; l < levels; l++) {
            int s = family.anchorGenerator().stride(l);
            hs[l] = (batch[0] + s - 1) / s;
            ws[l] = (batch[1] + s - 1) / s;
        }
        return new PriorLayout(1, family.anchorGenerator().numAnchors(), hs, ws);
    }

    static float[] boxes(Random rng, int n, int[] extent) {
        float[] b = new float[4 * n];
        for (int i = 0; i < n; i++) {
            float w = 8 + rng.nextFloat() * extent[1] / 2, h = 8 + rng.nextFloat() * extent[0] / 2;
            float x = rng.nextFloat() * (extent[1] - w), y = rng.nextFloat() * (extent[0] - h);
            b[4 * i] = x;
            b[4 * i + 1] = y;
            b[4 * i + 2] = x + w;
            b[4 * i + 3] = y + h;
        }
        return b;
    }

    static ImageTargets definition(RetinaNetFamily family, PriorLayout layout, float[] gts, int[] pad) {
        float[][] levels = family.priors(layout);
        int p = layout.priorsPerImage(), a = layout.anchors();
        List<Integer> valid = new ArrayList<>();
        for (int l = 0; l < layout.levels(); l++) {
            int s = family.anchorGenerator().stride(l);
            for (int k = 0; k < levels[l].length / 4; k++) {
                int loc = k / a, y = loc / layout.width(l), x = loc % layout.width(l);
                if (pad == null || (y < (pad[0] + s - 1) / s && x < (pad[1] + s - 1) / s)) {
                    valid.add(layout.levelStart(l) + k);
                }
            }
        }
        float[] all = new float[4 * p];
        for (int l = 0, o = 0; l < layout.levels(); o += levels[l].length, l++) {
            System.arraycopy(levels[l], 0, all, o, levels[l].length);
        }
        float[] sub = new float[4 * valid.size()];
        for (int k = 0; k < valid.size(); k++) {
            System.arraycopy(all, 4 * valid.get(k), sub, 4 * k, 4);
        }
        int[] local = MaxIoUAssigner.retinaNet().assign(sub, gts).gtIndex();
        int[] gtIndex = new int[p];
        java.util.Arrays.fill(gtIndex, Assignment.IGNORED);
        List<Integer> pos = new ArrayList<>();
        for (int k = 0; k < valid.size(); k++) {
            gtIndex[valid.get(k)] = local[k];
            if (local[k] >= 0) {
                pos.add(valid.get(k));
            }
        }
        float[] anchors = new float[4 * pos.size()], matched = new float[4 * pos.size()];
        for (int k = 0; k < pos.size(); k++) {
            System.arraycopy(all, 4 * pos.get(k), anchors, 4 * k, 4);
            System.arraycopy(gts, 4 * gtIndex[pos.get(k)], matched, 4 * k, 4);
        }
        return new ImageTargets(gtIndex, pos.stream().mapToInt(Integer::intValue).toArray(), family.coder().encode(anchors, matched));
    }
}
