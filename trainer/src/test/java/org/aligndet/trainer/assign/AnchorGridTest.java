package org.aligndet.trainer.assign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.family.RetinaNetFamily;
import org.aligndet.trainer.model.PriorLayout;
import org.aligndet.trainer.spec.ModelSpecs;
import org.junit.jupiter.api.Test;

/** The grid-pruned assignment equals the full scan, value for value, on the tiny RetinaNet's real anchors. */
class AnchorGridTest {
    private static final MaxIoUAssigner[] ASSIGNERS = {MaxIoUAssigner.retinaNet(), new MaxIoUAssigner(0.6f, 0.3f, 0.1f, false, true),
        new MaxIoUAssigner(0.7f, 0.3f, 0.3f, true, true), new MaxIoUAssigner(0.5f, 0.4f, 0f, true, false)};

    @Test
    void prunedAssignmentEqualsTheFullScan() {
        RetinaNetFamily family = (RetinaNetFamily) DetectorFamily.dense(ModelSpecs.locate().load("retinanet_tiny"));
        SplittableRandom rng = new SplittableRandom(5);
        int[][] sizes = {{256, 320}, {128, 96}, {512, 512}};
        for (int[] hw : sizes) {
            int levels = 5;
            int[] rows = new int[levels], cols = new int[levels], strides = new int[levels];
            for (int l = 0; l < levels; l++) {
                strides[l] = 8 << l;
                rows[l] = (hw[0] + strides[l] - 1) / strides[l];
                cols[l] = (hw[1] + strides[l] - 1) / strides[l];
            }
            PriorLayout layout = new PriorLayout(1, 9, rows, cols);
            float[] priors = concat(family.priors(layout));
            AnchorGrid grid = AnchorGrid.of(priors, rows, cols, 9, strides);
            assertNotNull(grid, "the tiny RetinaNet's anchors form a grid");
            org.aligndet.trainer.box.Boxes.Columns columns = org.aligndet.trainer.box.Boxes.Columns.of(priors);
            for (int trial = 0; trial < 6; trial++) {
                float[] gts = boxes(rng, 1 + rng.nextInt(40), hw);
                for (MaxIoUAssigner a : ASSIGNERS) {
                    Assignment full = a.assign(priors, gts);
                    Assignment pruned = a.assign(priors, gts, grid);
                    String what = hw[0] + "x" + hw[1] + " trial " + trial;
                    assertArrayEquals(full.gtIndex(), pruned.gtIndex(), what + " gtIndex");
                    assertArrayEquals(full.maxOverlap(), pruned.maxOverlap(), what + " maxOverlap");
                    // the overlaps in the thread's working arrays, left there by the calls before
                    assertArrayEquals(full.gtIndex(), a.assignIndices(columns, gts, grid), what + " gtIndex alone");
                    // into a longer array left dirty by an earlier call: the first n entries, the rest untouched
                    int[] into = new int[priors.length / 4 + 3];
                    java.util.Arrays.fill(into, 77);
                    a.assignIndices(columns, gts, grid, into);
                    assertArrayEquals(full.gtIndex(), java.util.Arrays.copyOf(into, priors.length / 4), what + " gtIndex into");
                    assertArrayEquals(new int[] {77, 77, 77}, java.util.Arrays.copyOfRange(into, priors.length / 4, into.length));
                }
            }
            int[] into = new int[priors.length / 4];
            java.util.Arrays.fill(into, 5);
            ASSIGNERS[0].assignIndices(columns, new float[0], grid, into);
            assertTrue(java.util.Arrays.stream(into).allMatch(g -> g == Assignment.BACKGROUND), "no gt: all background");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ASSIGNERS[0].assignIndices(columns, new float[] {0, 0, 9, 9}, grid, new int[3]));
        }
    }

    @Test
    void theFamilysAssignmentWritesIntoTheArrayItIsGivenWithTheSameResult() {
        RetinaNetFamily family = (RetinaNetFamily) DetectorFamily.dense(ModelSpecs.locate().load("retinanet_tiny"));
        SplittableRandom rng = new SplittableRandom(9);
        int[] hw = {256, 320};
        int[] rows = new int[5], cols = new int[5];
        for (int l = 0; l < 5; l++) {
            rows[l] = (hw[0] + (8 << l) - 1) / (8 << l);
            cols[l] = (hw[1] + (8 << l) - 1) / (8 << l);
        }
        PriorLayout layout = new PriorLayout(1, 9, rows, cols);
        int[] reuse = null;
        // every prior valid, then an image padded to less than the batch (its own valid flags), in turns
        int[][] pads = {null, {200, 250}, null, {256, 100}};
        for (int trial = 0; trial < pads.length; trial++) {
            float[] gts = boxes(rng, 1 + rng.nextInt(20), hw);
            org.aligndet.trainer.family.ImageTargets fresh = family.assign(layout, gts, pads[trial]);
            int[] given = reuse;
            org.aligndet.trainer.family.ImageTargets t = family.assign(layout, gts, pads[trial], given);
            assertArrayEquals(fresh.gtIndex(), t.gtIndex(), "trial " + trial);
            assertArrayEquals(fresh.positives(), t.positives(), "trial " + trial);
            assertArrayEquals(fresh.targets(), t.targets(), "trial " + trial);
            if (given != null) {
                assertTrue(t.gtIndex() == given, "the array given is the one written");
            }
            reuse = t.gtIndex();
        }
        // an array of another length is not written
        int[] wrong = new int[7];
        assertFalse(family.assign(layout, boxes(rng, 3, hw), null, wrong).gtIndex() == wrong);
    }

    @Test
    void indicesAloneSkipTheLevelsThatCannotMatter() {
        RetinaNetFamily family = (RetinaNetFamily) DetectorFamily.dense(ModelSpecs.locate().load("retinanet_tiny"));
        int levels = 5;
        int[] rows = new int[levels], cols = new int[levels], strides = new int[levels];
        for (int l = 0; l < levels; l++) {
            strides[l] = 8 << l;
            rows[l] = (512 + strides[l] - 1) / strides[l];
            cols[l] = rows[l];
        }
        float[] priors = concat(family.priors(new PriorLayout(1, 9, rows, cols)));
        AnchorGrid grid = AnchorGrid.of(priors, rows, cols, 9, strides);
        assertNotNull(grid);
        // the finest level's anchors are 32-51 px wide: a 400 px box reaches an IoU of at most 0.02 with them
        assertTrue(grid.iouBound(0, 400.0 * 400) < 0.02, "bound " + grid.iouBound(0, 400.0 * 400));
        assertEquals(1.0, grid.iouBound(0, 40.0 * 40));
        java.util.Set<Integer> asked = new java.util.TreeSet<>();
        MaxIoUAssigner.Candidates recording = new MaxIoUAssigner.Candidates() {
            @Override
            public void ranges(float x1, float y1, float x2, float y2, MaxIoUAssigner.RangeSink sink) {
                grid.ranges(x1, y1, x2, y2, sink);
            }

            @Override
            public int groups() {
                return grid.groups();
            }

            @Override
            public void ranges(int group, float x1, float y1, float x2, float y2, MaxIoUAssigner.RangeSink sink) {
                asked.add(group);
                grid.ranges(group, x1, y1, x2, y2, sink);
            }

            @Override
            public double iouBound(int group, double boxArea) {
                return grid.iouBound(group, boxArea);
            }
        };
        float[] big = {50, 60, 450, 460};
        org.aligndet.trainer.box.Boxes.Columns columns = org.aligndet.trainer.box.Boxes.Columns.of(priors);
        for (MaxIoUAssigner a : ASSIGNERS) {
            asked.clear();
            assertArrayEquals(a.assign(priors, big).gtIndex(), a.assignIndices(columns, big, recording));
            assertFalse(asked.contains(0), "levels computed " + asked);
            assertTrue(asked.contains(4), "levels computed " + asked);
            asked.clear();
            a.assign(columns, big, recording); // with the overlaps returned, every level is computed
            assertEquals(java.util.Set.of(0, 1, 2, 3, 4), asked);
        }
    }

    private static float[] concat(float[][] per) {
        return org.aligndet.trainer.box.Boxes.concat(java.util.List.of(per));
    }

    @Test
    void priorsOffTheGridAreRefused() {
        float[] priors = {0, 0, 8, 8, 8, 0, 16, 8, 3, 0, 11, 8}; // the third centre is 3 px off x = 16
        assertNull(AnchorGrid.of(priors, new int[] {1}, new int[] {3}, 1, new int[] {8}));
        priors[8] = 16;
        priors[10] = 24;
        assertNotNull(AnchorGrid.of(priors, new int[] {1}, new int[] {3}, 1, new int[] {8}));
    }

    /** Small, large, partly outside, far outside (overlapping nothing) and duplicated boxes. */
    private static float[] boxes(SplittableRandom rng, int n, int[] hw) {
        float[] out = new float[4 * n];
        for (int k = 0; k < n; k++) {
            float w, h, x, y;
            switch (k % 5) {
                case 0 -> { w = 2 + (float) rng.nextDouble() * 10; h = 2 + (float) rng.nextDouble() * 10; }
                case 1 -> { w = hw[1] * (float) rng.nextDouble(); h = hw[0] * (float) rng.nextDouble(); }
                default -> { w = 8 + (float) rng.nextDouble() * 120; h = 8 + (float) rng.nextDouble() * 120; }
            }
            x = (float) (rng.nextDouble() * (hw[1] + 40) - 20);
            y = (float) (rng.nextDouble() * (hw[0] + 40) - 20);
            if (k % 7 == 6) {
                x = 5000; // overlaps no anchor
            }
            out[4 * k] = x;
            out[4 * k + 1] = y;
            out[4 * k + 2] = x + w;
            out[4 * k + 3] = y + h;
            if (k % 11 == 10) {
                System.arraycopy(out, 4 * (k - 1), out, 4 * k, 4); // a duplicate of the previous box
            }
        }
        return out;
    }
}
