package org.aligndet.trainer.proposals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.box.Boxes;
import org.aligndet.trainer.image.ImageDecoder;
import org.aligndet.trainer.image.TestImages;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * Not a unit test (no assertions, not matched by surefire's default pattern): recall of drawn
 * shapes' boxes and time per image for each mode, one thread, long side 500. Run with
 * {@code mvn -o -pl trainer -am test -Dtest=ProposalRecallBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ProposalRecallBench {
    private static final int IMAGES = Integer.getInteger("bench.images", 12);
    private static final int[] TOP_K = {0, 50, 100, 300};

    @Test
    void recallAndTimePerMode() throws Exception {
        Path dir = Files.createTempDirectory("ss-bench");
        List<Path> files = new ArrayList<>();
        List<List<float[]>> truth = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            TestImages.Scene s = TestImages.scene(640, 480, 5, 1000 + i);
            files.add(TestImages.write(s.image(), dir.resolve("s" + i + ".png")));
            truth.add(s.boxes());
        }
        System.out.printf("%d images 640x480, %d drawn boxes each, long side 500, one thread%n", IMAGES, 5);
        System.out.println("mode     s/img   raw  kept |  R@.5 all  R@.7 all | R@.5 top50/100/300 | R@.7 top50/100/300");
        for (SearchMode mode : SearchMode.values()) {
            if (!System.getProperty("bench.modes", "fast,quality,single").contains(mode.cliName())) {
                continue;
            }
            SelectiveSearch ss = new SelectiveSearch(mode, 500);
            long nanos = 0;
            long raw = 0;
            long kept = 0;
            int[][] hits = new int[TOP_K.length][2];
            int gt = 0;
            for (int i = 0; i < IMAGES; i++) {
                try (Mat bgr = ImageDecoder.readBgr(files.get(i))) {
                    long t0 = System.nanoTime();
                    List<double[]> boxes = ss.propose(bgr);
                    List<Proposal> props = ProposalFilter.alignDet().withNms(Double.parseDouble(System.getProperty("bench.nms", "0.5"))).apply(boxes, bgr.cols(), bgr.rows());
                    nanos += System.nanoTime() - t0;
                    raw += boxes.size();
                    kept += props.size();
                    for (float[] g : truth.get(i)) {
                        gt++;
                        double[] gd = {g[0], g[1], g[2], g[3]};
                        for (int k = 0; k < TOP_K.length; k++) {
                            double best = bestIou(gd, props, TOP_K[k]);
                            hits[k][0] += best >= 0.5 ? 1 : 0;
                            hits[k][1] += best >= 0.7 ? 1 : 0;
                        }
                    }
                }
            }
            System.out.printf("%-8s %5.3f %5d %5d | %9.3f %9.3f | %.3f/%.3f/%.3f  | %.3f/%.3f/%.3f%n", mode.cliName(), nanos / 1e9 / IMAGES,
                    raw / IMAGES, kept / IMAGES, (double) hits[0][0] / gt, (double) hits[0][1] / gt,
                    (double) hits[1][0] / gt, (double) hits[2][0] / gt, (double) hits[3][0] / gt,
                    (double) hits[1][1] / gt, (double) hits[2][1] / gt, (double) hits[3][1] / gt);
        }
    }

    private static double bestIou(double[] g, List<Proposal> props, int topK) {
        double best = 0;
        int n = topK > 0 ? Math.min(topK, props.size()) : props.size();
        for (int i = 0; i < n; i++) {
            Proposal p = props.get(i);
            best = Math.max(best, Boxes.iouFloat64(g, new double[] {p.x1(), p.y1(), p.x2(), p.y2()}));
        }
        return best;
    }
}
