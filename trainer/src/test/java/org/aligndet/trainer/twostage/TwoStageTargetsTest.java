package org.aligndet.trainer.twostage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.assign.AnchorGrid;
import org.aligndet.trainer.assign.Assignment;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

class TwoStageTargetsTest {
    static int[][] sizes(JsonNode a) {
        int[][] out = new int[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Reference.ints(a.get(i));
        }
        return out;
    }

    static boolean ascendingDistinct(int[] a) {
        for (int i = 1; i < a.length; i++) {
            if (a[i] <= a[i - 1]) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ RPN

    @Test
    void rpnAnchorsAndAssignmentMatchReference() {
        JsonNode f = Reference.load("rpn_targets");
        RpnTargets rpn = RpnTargets.mmdetection(Reference.ints(f.get("strides")));
        assertEquals(3, rpn.anchorGenerator().numAnchors());
        float[] anchors = rpn.anchors(sizes(f.get("levelSizes")));
        assertEquals(f.get("numAnchors").asInt(), anchors.length / 4);
        float[] last = Reference.floats(f.get("lastLevelsAnchors"));
        Reference.assertClose(last, Arrays.copyOfRange(anchors, anchors.length - last.length, anchors.length), "anchors of levels 2-4");

        float[] gts = Reference.floats(f.get("gts"));
        RpnTargets.Image t = rpn.targets(anchors, gts, new SplittableRandom(7));
        assertArrayEquals(Reference.ints(f.get("gtIndex")), t.assignment().gtIndex(), "gt per anchor (0.7 / 0.3, low-quality)");
        Reference.assertClose(Reference.floats(f.get("maxOverlap")), t.assignment().maxOverlap(), "max IoU per anchor");
        // fewer positives than 128: the sample holds all of them, so their targets are the fixture's
        int[] positives = Reference.ints(f.get("positives"));
        assertTrue(positives.length > 0 && positives.length < 128);
        assertArrayEquals(positives, t.sample().positives());
        Reference.assertClose(Reference.floats(f.get("posTargets")), t.posTargets(), "delta targets (means 0, stds 1)");
        // negatives fill the rest of 256, background only
        assertEquals(256 - positives.length, t.sample().negatives().length);
        for (int i : t.sample().negatives()) {
            assertEquals(Assignment.BACKGROUND, t.assignment().gtIndex()[i]);
        }
        assertTrue(ascendingDistinct(t.sample().negatives()));
        assertEquals(256, t.avgFactor());
        float[] obj = t.objectness();
        assertEquals(256, obj.length);
        assertEquals(positives.length, (int) sum(obj));
        assertEquals(1f, obj[0]);
        assertEquals(0f, obj[255]);
        // the grid-pruned assignment gives the fixture too
        AnchorGrid grid = rpn.grid(anchors, sizes(f.get("levelSizes")));
        assertNotNull(grid, "mmdetection's RPN anchors form a grid");
        RpnTargets.Image g = rpn.targets(anchors, grid, gts, new SplittableRandom(7));
        assertArrayEquals(t.assignment().gtIndex(), g.assignment().gtIndex());
        assertArrayEquals(t.assignment().maxOverlap(), g.assignment().maxOverlap());
        assertArrayEquals(t.sample().all(), g.sample().all());
        assertArrayEquals(t.posTargets(), g.posTargets());
    }

    @Test
    void rpnGridPrunedTargetsEqualTheFullScan() {
        RpnTargets rpn = RpnTargets.mmdetection(new int[] {4, 8, 16, 32, 64});
        SplittableRandom rng = new SplittableRandom(11);
        for (int[] hw : new int[][] {{128, 160}, {96, 64}, {256, 256}}) {
            int[][] sizes = new int[5][];
            for (int l = 0; l < 5; l++) {
                int s = 4 << l;
                sizes[l] = new int[] {(hw[0] + s - 1) / s, (hw[1] + s - 1) / s};
            }
            float[] anchors = rpn.anchors(sizes);
            AnchorGrid grid = rpn.grid(anchors, sizes);
            assertNotNull(grid);
            for (int trial = 0; trial < 5; trial++) {
                int n = 1 + rng.nextInt(60);
                float[] gts = new float[4 * n];
                for (int i = 0; i < n; i++) { // small to image-sized, some partly outside, some duplicated
                    float w = 2 + (float) rng.nextDouble() * hw[1], h = 2 + (float) rng.nextDouble() * hw[0];
                    float x = (float) (rng.nextDouble() * (hw[1] + 40) - 20 - w / 2), y = (float) (rng.nextDouble() * (hw[0] + 40) - 20 - h / 2);
                    gts[4 * i] = x;
                    gts[4 * i + 1] = y;
                    gts[4 * i + 2] = x + w;
                    gts[4 * i + 3] = y + h;
                    if (i > 0 && rng.nextInt(8) == 0) {
                        System.arraycopy(gts, 4 * (i - 1), gts, 4 * i, 4);
                    }
                }
                RpnTargets.Image full = rpn.targets(anchors, gts, new SplittableRandom(trial));
                RpnTargets.Image pruned = rpn.targets(anchors, grid, gts, new SplittableRandom(trial));
                String what = hw[0] + "x" + hw[1] + " trial " + trial;
                assertArrayEquals(full.assignment().gtIndex(), pruned.assignment().gtIndex(), what);
                assertArrayEquals(full.assignment().maxOverlap(), pruned.assignment().maxOverlap(), what);
                assertArrayEquals(full.sample().all(), pruned.sample().all(), what);
                assertArrayEquals(full.posTargets(), pruned.posTargets(), what);
            }
        }
    }

    static double sum(float[] a) {
        double s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }

    @Test
    void rpnSamplerCapsPositivesAndIsDeterministicFromItsGenerator() {
        RpnTargets rpn = RpnTargets.mmdetection(new int[] {4, 8, 16, 32, 64});
        float[] anchors = rpn.anchors(new int[][] {{16, 24}, {8, 12}, {4, 6}, {2, 3}, {1, 2}});
        float[] gts = Arrays.copyOf(anchors, 200 * 4); // 200 anchors as gts: at least 200 positives (IoU 1)
        RpnTargets.Image a = rpn.targets(anchors, gts, new SplittableRandom(1));
        assertTrue(a.assignment().positives().length >= 200);
        assertEquals(128, a.sample().positives().length);
        assertEquals(128, a.sample().negatives().length);
        assertTrue(ascendingDistinct(a.sample().positives()));
        for (int i : a.sample().positives()) {
            assertTrue(a.assignment().gtIndex()[i] >= 0);
        }
        RpnTargets.Image b = rpn.targets(anchors, gts, new SplittableRandom(1));
        assertArrayEquals(a.sample().all(), b.sample().all());
        assertArrayEquals(a.posTargets(), b.posTargets());
        RpnTargets.Image c = rpn.targets(anchors, gts, new SplittableRandom(2));
        assertFalse(Arrays.equals(a.sample().all(), c.sample().all()));
        // no gts: 256 negatives, nothing to regress
        RpnTargets.Image none = rpn.targets(anchors, new float[0], new SplittableRandom(3));
        assertEquals(0, none.sample().positives().length);
        assertEquals(256, none.sample().negatives().length);
        assertEquals(0, none.posTargets().length);
    }

    // ------------------------------------------------------------------ RoI head

    @Test
    void roiTargetsMatchReference() {
        JsonNode f = Reference.load("roi_targets");
        int k = f.get("numClasses").asInt();
        RoiTargets roi = RoiTargets.mmdetection(k);
        float[] proposals = Reference.floats(f.get("proposals"));
        float[] gts = Reference.floats(f.get("gts"));
        Assignment own = roi.assign(proposals, gts);
        assertArrayEquals(Reference.ints(f.get("gtIndex")), own.gtIndex(), "proposal assignment (0.5 / 0.5, no low-quality)");
        Reference.assertClose(Reference.floats(f.get("maxOverlap")), own.maxOverlap(), "proposal max IoU");
        // the fixture holds at most 128 positives and 512 boxes in all, so the sample is everything
        RoiTargets.Image t = roi.targets(proposals, gts, Reference.ints(f.get("labels")), new SplittableRandom(5));
        assertEquals(f.get("numPos").asInt(), t.numPos());
        assertArrayEquals(Reference.ints(f.get("roiLabels")), t.labels());
        assertArrayEquals(Reference.ints(f.get("posGt")), t.posGt());
        Reference.assertClose(Reference.floats(f.get("rois")), t.rois(), "sampled rois, positives first");
        Reference.assertClose(Reference.floats(f.get("posTargets")), t.posTargets(), "delta targets (stds .1 .1 .2 .2)");
        // the gts lead, as proposals of their own
        assertArrayEquals(Arrays.copyOf(gts, gts.length), Arrays.copyOf(t.rois(), gts.length));
    }

    @Test
    void roiSamplerTakes512AtMostAQuarterPositive() {
        RoiTargets roi = RoiTargets.mmdetection(2);
        float[] gts = {10, 10, 50, 50, 60, 20, 120, 80};
        int[] labels = {1, 0};
        SplittableRandom gen = new SplittableRandom(11);
        List<Float> p = new ArrayList<>();
        for (int i = 0; i < 1500; i++) { // half near the gts (mostly positives), half anywhere
            float[] g = i % 2 == 0 ? Arrays.copyOfRange(gts, 4 * (i / 2 % 2), 4 * (i / 2 % 2) + 4) : new float[] {0, 0, 30, 30};
            float dx = (float) gen.nextDouble(-4, 4), dy = (float) gen.nextDouble(-4, 4);
            float ox = i % 2 == 0 ? 0 : (float) gen.nextDouble(0, 170), oy = i % 2 == 0 ? 0 : (float) gen.nextDouble(0, 170);
            p.addAll(List.of(g[0] + dx + ox, g[1] + dy + oy, g[2] + dx + ox, g[3] + dy + oy));
        }
        float[] proposals = new float[p.size()];
        for (int i = 0; i < proposals.length; i++) {
            proposals[i] = p.get(i);
        }
        RoiTargets.Image t = roi.targets(proposals, gts, labels, new SplittableRandom(3));
        assertEquals(512, t.size());
        assertEquals(128, t.numPos());
        assertEquals(128 * 4, t.posTargets().length);
        for (int i = 0; i < t.size(); i++) {
            if (i < t.numPos()) {
                assertEquals(labels[t.posGt()[i]], t.labels()[i]);
            } else {
                assertEquals(2, t.labels()[i], "background is numClasses");
            }
        }
        RoiTargets.Image again = roi.targets(proposals, gts, labels, new SplittableRandom(3));
        assertArrayEquals(t.rois(), again.rois());
        assertNotEquals(Arrays.toString(t.rois()),
                Arrays.toString(roi.targets(proposals, gts, labels, new SplittableRandom(4)).rois()));
        assertThrows(IllegalArgumentException.class, () -> roi.targets(proposals, gts, new int[] {0}, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> roi.targets(proposals, gts, new int[] {0, 2}, new SplittableRandom(1)));
        // RoI rows for the extractor: batch index first
        float[] rows = RoIAlign.withBatchIndex(List.of(gts, new float[] {1, 2, 3, 4}));
        assertArrayEquals(new float[] {0, 10, 10, 50, 50, 0, 60, 20, 120, 80, 1, 1, 2, 3, 4}, rows);
    }

    // ------------------------------------------------------------------ proposals

    @Test
    void proposalsMatchTorchvisionBatchedNms() {
        JsonNode f = Reference.load("rpn_proposals");
        int[][] sizes = sizes(f.get("levelSizes"));
        RpnTargets rpn = RpnTargets.mmdetection(new int[] {4, 8, 16, 32, 64});
        List<float[]> anchors = new ArrayList<>();
        List<float[]> logits = new ArrayList<>();
        List<float[]> deltas = new ArrayList<>();
        for (int l = 0; l < sizes.length; l++) {
            anchors.add(rpn.anchorGenerator().anchors(l, sizes[l][0], sizes[l][1]));
            logits.add(Reference.floats(f.get("logits").get(l)));
            deltas.add(Reference.floats(f.get("deltas").get(l)));
        }
        int imgH = f.get("imgShape").get(0).asInt(), imgW = f.get("imgShape").get(1).asInt();
        assertEquals(3, f.get("cases").size());
        for (JsonNode c : f.get("cases")) {
            String name = c.get("name").asText();
            RpnProposals gen = name.equals("mmdet-defaults") ? RpnProposals.mmdetection()
                    : new RpnProposals(c.get("nmsPre").asInt(), (float) c.get("iou").asDouble(), c.get("maxPerImg").asInt(),
                            org.aligndet.trainer.coder.DeltaXYWHCoder.unit());
            RpnProposals.Result r = gen.propose(logits, deltas, anchors, imgH, imgW);
            assertArrayEquals(Reference.ints(c.get("levels")), r.levels(), name + " levels");
            Reference.assertClose(Reference.floats(c.get("scores")), r.scores(), name + " scores");
            Reference.assertClose(Reference.floats(c.get("boxes")), r.boxes(), name + " boxes");
            for (int i = 0; i < r.size(); i++) {
                assertTrue(r.boxes()[4 * i + 2] > r.boxes()[4 * i] && r.boxes()[4 * i + 3] > r.boxes()[4 * i + 1]);
                assertTrue(r.boxes()[4 * i] >= 0 && r.boxes()[4 * i + 2] <= imgW && r.boxes()[4 * i + 3] <= imgH);
            }
        }
    }
}
