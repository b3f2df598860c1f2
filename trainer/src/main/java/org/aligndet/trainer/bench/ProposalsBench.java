package org.aligndet.trainer.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.proposals.SearchMode;
import org.aligndet.trainer.proposals.SelectiveSearch;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * {@code bench proposals}: selective search per image (one thread, the proposal command's long side)
 * on generated scenes, for each search mode; a run is one pass over the images.
 */
public final class ProposalsBench {
    private ProposalsBench() {
    }

    public static BenchResult run(int images, int height, int width, int longSide, List<SearchMode> modes, int warmup, int runs,
                                  PrintStream log) throws Exception {
        BenchScenes scenes = new BenchScenes(height, width, 1, 1, 5);
        List<Mat> mats = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            mats.add(scenes.image(i));
        }
        try {
            SideBySide sbs = new SideBySide();
            long[] boxes = new long[modes.size()];
            for (int m = 0; m < modes.size(); m++) {
                SelectiveSearch ss = new SelectiveSearch(modes.get(m), longSide);
                int mm = m;
                sbs.add(modes.get(m).cliName(), run -> {
                    long n = 0;
                    for (Mat img : mats) {
                        n += ss.propose(img).size();
                    }
                    boxes[mm] = n;
                });
            }
            log.printf("proposals: %d generated %dx%d images, long side %d, modes %s%n", images, height, width, longSide,
                    modes.stream().map(SearchMode::cliName).toList());
            Map<String, Timing> t = sbs.measure(warmup, runs, 1);
            BenchResult r = new BenchResult("proposals").setting("images", images).setting("size", height + "x" + width)
                    .setting("long_side", longSide).variants(t);
            for (int m = 0; m < modes.size(); m++) {
                String k = modes.get(m).cliName();
                r.figure(k + "_s_per_image", t.get(k).median() / images);
                r.figure(k + "_boxes_per_image", (double) boxes[m] / images);
            }
            return r;
        } finally {
            mats.forEach(Mat::close);
        }
    }
}
