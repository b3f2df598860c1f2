package org.aligndet.export.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.export.onnx.TinyCheckpoints;
import org.aligndet.trainer.infer.Prepared;
import org.aligndet.trainer.infer.Preprocessor;
import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.randu;

/**
 * Per-image latency of the exported tiny RetinaNet through ONNX Runtime on the CPU at 512 and 800 px
 * (short side; long side capped at 1333), batch 1, and the share of the predictor's own work:
 * pre-processing (resize, RGB, pad: {@link Preprocessor#prepare}), batch assembly into the direct
 * buffer, and output decoding, each against {@code session.run}. Not a test; run with
 * {@code java ... org.aligndet.export.predict.OnnxPredictBench [iterations]}.
 */
public final class OnnxPredictBench {
    private OnnxPredictBench() {
    }

    public static void main(String[] args) {
        int iters = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        OnnxModel model = OnnxModel.load(TinyCheckpoints.specs().directory().resolve("fixtures/export/retinanet_tiny.onnx"));
        try (OnnxPredictor p = OnnxPredictor.open(model, OrtSessions.CPU); Mat img = new Mat(480, 640, CV_8UC3)) {
            randu(img, new Mat(1, 1, org.bytedeco.opencv.global.opencv_core.CV_64F, new org.bytedeco.javacpp.DoublePointer(0.0)),
                    new Mat(1, 1, org.bytedeco.opencv.global.opencv_core.CV_64F, new org.bytedeco.javacpp.DoublePointer(255.0)));
            System.out.printf("ONNX Runtime %s, %s provider, %d cores, 640x480 source image, %d iterations after 5 warm-up%n",
                    OrtSessions.version(), p.provider(), Runtime.getRuntime().availableProcessors(), iters);
            for (int side : new int[] {512, 800}) {
                Preprocessor pre = p.preprocessor().withScale(1333, side);
                List<Prepared> one = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    p.predict(List.of(pre.prepare("warm", img)));
                }
                long[] before = p.timings();
                long prepNanos = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < iters; i++) {
                    long a = System.nanoTime();
                    Prepared x = pre.prepare("img", img);
                    prepNanos += System.nanoTime() - a;
                    one.clear();
                    one.add(x);
                    p.predict(one);
                }
                long total = System.nanoTime() - t0;
                long[] after = p.timings();
                double assemble = (after[0] - before[0]) / 1e6 / iters;
                double run = (after[1] - before[1]) / 1e6 / iters;
                double decode = (after[2] - before[2]) / 1e6 / iters;
                double prep = prepNanos / 1e6 / iters;
                Prepared x = pre.prepare("img", img);
                System.out.printf(Locale.ROOT, "%d px (input %dx%d): %.2f ms/img total; session.run %.2f ms; pre-process %.2f ms, "
                                + "assemble %.3f ms, decode %.3f ms -> own work %.1f%% of session.run (%.1f%% without resize/pad)%n",
                        side, x.paddedWidth(), x.paddedHeight(), total / 1e6 / iters, run, prep, assemble, decode,
                        100 * (prep + assemble + decode) / run, 100 * (assemble + decode) / run);
            }
        }
    }
}
