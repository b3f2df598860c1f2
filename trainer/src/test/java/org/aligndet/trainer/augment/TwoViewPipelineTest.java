package org.aligndet.trainer.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.aligndet.trainer.data.Instance;
import org.aligndet.trainer.image.ImageDecoder;
import org.aligndet.trainer.image.TestImages;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TwoViewPipelineTest {
    @TempDir
    Path dir;

    private static final AugmentConfig SMALL = AugmentConfig.alignDetPretrain().withScale(333, List.of(160, 176, 192, 200));

    /** A black 120x90 image with a white block at x in [30, 70), y in [20, 50). */
    private Mat blockImage() {
        BufferedImage img = new BufferedImage(120, 90, BufferedImage.TYPE_3BYTE_BGR);
        var g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(30, 20, 40, 30);
        g.dispose();
        return ImageDecoder.readBgr(TestImages.write(img, dir.resolve("block.png")));
    }

    private static final List<Instance> PROPOSALS = List.of(
            Instance.box(30, 20, 70, 50, -1, 0), Instance.box(0, 0, 120, 90, -1, 1), Instance.box(100, 60, 118, 88, -1, 2));

    @Test
    void bothViewsCarryTheSameProposalIds() {
        try (Mat bgr = blockImage()) {
            TwoViewPipeline p = new TwoViewPipeline(SMALL);
            for (int seed = 0; seed < 20; seed++) {
                TwoViewPipeline.TwoViews v = p.apply(bgr, PROPOSALS, new SplittableRandom(seed));
                assertArrayEquals(new long[] {0, 1, 2}, v.first().boxes().ids());
                assertArrayEquals(new long[] {0, 1, 2}, v.second().boxes().ids());
            }
        }
    }

    @Test
    void boxesFollowTheImageThroughResizeAndFlip() {
        AugmentConfig geometric = SMALL.withPhotometric(false);
        ViewPipeline p = new ViewPipeline(geometric);
        int flips = 0;
        try (Mat bgr = blockImage()) {
            for (int seed = 0; seed < 16; seed++) {
                View v = p.apply(bgr, BoxList.of(PROPOSALS), new SplittableRandom(seed));
                flips += v.flipped() ? 1 : 0;
                assertEquals(0, v.image().height() % 32);
                assertEquals(0, v.image().width() % 32);
                assertEquals(v.validWidth() / 120f, v.scaleW());
                // the block's box maps back exactly
                BoxList b = v.boxes();
                float[] back = v.toOriginal(b.get(0, 0), b.get(0, 1), b.get(0, 2), b.get(0, 3));
                assertArrayEquals(new float[] {30, 20, 70, 50}, back, 1e-4f);
                // and the pixels agree: white (R normalised > 2) just inside, black just outside
                int cy = (int) ((b.get(0, 1) + b.get(0, 3)) / 2);
                assertTrue(v.image().get(0, cy, (int) Math.ceil(b.get(0, 0)) + 1) > 2f, "inside left edge, seed " + seed);
                assertTrue(v.image().get(0, cy, (int) Math.floor(b.get(0, 2)) - 2) > 2f, "inside right edge, seed " + seed);
                assertTrue(v.image().get(0, cy, (int) Math.floor(b.get(0, 0)) - 2) < -1.5f, "outside left edge, seed " + seed);
                // padding is zero
                if (v.image().width() > v.validWidth()) {
                    assertEquals(0f, v.image().get(1, 0, v.validWidth()));
                }
            }
        }
        assertTrue(flips > 0 && flips < 16, "flip p=0.5 over 16 draws: " + flips);
    }

    @Test
    void sameSeedSameViews() {
        try (Mat bgr = blockImage()) {
            TwoViewPipeline p = new TwoViewPipeline(SMALL);
            TwoViewPipeline.TwoViews a = p.apply(bgr, PROPOSALS, new SplittableRandom(5));
            TwoViewPipeline.TwoViews b = p.apply(bgr, PROPOSALS, new SplittableRandom(5));
            assertArrayEquals(a.first().image().data(), b.first().image().data());
            assertArrayEquals(a.second().image().data(), b.second().image().data());
            assertEquals(a.second().boxes(), b.second().boxes());
        }
    }

    @Test
    void finetuneKeepsLabels() {
        try (Mat bgr = blockImage()) {
            View v = new FinetunePipeline(SMALL).apply(bgr, List.of(Instance.box(30, 20, 70, 50, 3, 11)), new SplittableRandom(1));
            assertArrayEquals(new int[] {3}, v.boxes().labels());
            assertArrayEquals(new long[] {11}, v.boxes().ids());
            assertEquals(PhotometricOp.IDENTITY, v.photometric().op());
        }
    }
}
