package org.aligndet.export.check;

import ai.djl.Device;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.export.onnx.ExportMetadata;
import org.aligndet.export.predict.OnnxPredictor;
import org.aligndet.trainer.infer.DensePostprocess;
import org.aligndet.trainer.infer.HeadMaps;
import org.aligndet.trainer.infer.Prepared;
import org.aligndet.trainer.infer.Preprocessor;
import org.aligndet.trainer.infer.TorchPredictor;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Per-image latency, batch 1, CPU, of the two serving paths side by side in one process, in
 * alternating blocks (ONNX Runtime, TorchScript, ONNX Runtime, TorchScript; per-iteration interleaving
 * let ONNX Runtime's spinning pool threads slow libtorch down on few cores): ONNX Runtime ({@link OnnxPredictor}: {@link Preprocessor#prepareRaw}, input assembly,
 * {@code session.run} with decoding and NMS in the graph, output decoding) against TorchScript via
 * DJL ({@link Preprocessor#prepare}, forward, Java post-processing). Also the ONNX path's own work
 * (pre-processing, assembly, decoding) as a share of {@code session.run}, with the raw-only
 * pre-processing and, for comparison, with the full {@code prepare} it replaced.
 *
 * <p>The tiny RetinaNet always; {@code retinanet_r50_fpn} when its generated graphs are present.
 * Both runtimes get the spec's own weights with the classifier bias set to 0, so that thousands of
 * candidates reach NMS (the focal-prior bias would leave post-processing idle). Source image 640x480
 * random pixels, resized to short side 512 or 800 (long side at most 1333). Not a test; run with
 * {@code MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 java ... RuntimeLatencyBench [iters] [r50 iters]}.
 */
public final class RuntimeLatencyBench {
    private RuntimeLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int iters = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int r50Iters = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ModelSpecs specs = ModelSpecs.locate();
        System.out.printf("ONNX Runtime %s, %d cores, MALLOC_MMAP_MAX_=%s MALLOC_TRIM_THRESHOLD_=%s%n", OrtSessions.version(),
                Runtime.getRuntime().availableProcessors(), System.getenv("MALLOC_MMAP_MAX_"), System.getenv("MALLOC_TRIM_THRESHOLD_"));
        try (Mat img = new Mat(480, 640, opencv_core.CV_8UC3);
             Mat lo = new Mat(1, 1, opencv_core.CV_64F, new DoublePointer(0.0));
             Mat hi = new Mat(1, 1, opencv_core.CV_64F, new DoublePointer(256.0))) {
            opencv_core.setRNGSeed(7);
            opencv_core.randu(img, lo, hi);
            bench(specs, "retinanet_tiny", img, iters);
            if (Files.isRegularFile(specs.graph("retinanet_r50_fpn")) && Files.isRegularFile(specs.onnxTemplate("retinanet_r50_fpn"))) {
                bench(specs, "retinanet_r50_fpn", img, r50Iters);
            } else {
                System.out.println("retinanet_r50_fpn: graphs not generated, skipped "
                        + "(/usr/bin/python3 model-specs/generator/generate.py --spec retinanet_r50_fpn)");
            }
        }
    }

    private static void bench(ModelSpecs specs, String name, Mat img, int iters) {
        ModelSpec spec = specs.load(name);
        String bias = "bbox_head.retina_cls.bias";
        OnnxModel onnx = OnnxModel.load(specs.onnxTemplate(name));
        HostTensor zero = HostTensor.ofFloats(onnx.initializer(bias).shape(), new float[(int) onnx.initializer(bias).numel()]);
        onnx.replaceInitializer(bias, zero);
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < spec.numClasses(); i++) {
            classes.add("c" + i);
        }
        int[] s = spec.imgScale();
        onnx.putMetadata(new ExportMetadata(name, classes, new ExportMetadata.Preprocessing(spec.mean(), spec.std(), s[0], s[1],
                spec.padDivisor()), "bench", "0".repeat(64), new ExportMetadata.Provenance(null, null, null, null)).toProps());
        TorchGraph graph = TorchGraph.load(specs.graph(name), Device.cpu());
        graph.load(Map.of(bias, zero)); // the rest stays as generated: a partial load
        DenseFamily family = DetectorFamily.dense(spec);
        try (DenseDetector det = family.detector(graph); OnnxPredictor ort = OnnxPredictor.open(onnx, OrtSessions.CPU)) {
            TorchPredictor torch = new TorchPredictor(det, family.postprocess());
            DensePostprocess post = torch.postprocess();
            for (int side : new int[] {512, 800}) {
                Preprocessor pre = ort.preprocessor().withScale(1333, side);
                for (int i = 0; i < Math.max(2, Math.min(5, iters)); i++) { // warm-up: DJL's profiling executor specialises per shape
                    ort.predict(List.of(pre.prepareRaw("w", img)));
                    torch.predict(List.of(pre.prepare("w", img)));
                }
                long[] before = ort.timings();
                long ortPrep = 0, ortTotal = 0, tsPrep = 0, tsFwd = 0, tsPost = 0;
                int dets = 0;
                Prepared p = null;
                for (int round = 0; round < 2; round++) { // A B A B blocks: no runtime's idle threads in the other's way
                    for (int i = round; i < iters; i += 2) {
                        long a = System.nanoTime();
                        Prepared r = pre.prepareRaw("img", img);
                        long b = System.nanoTime();
                        ort.predict(List.of(r));
                        long c = System.nanoTime();
                        ortPrep += b - a;
                        ortTotal += c - a;
                    }
                    for (int i = round; i < iters; i += 2) {
                        long c = System.nanoTime();
                        p = pre.prepare("img", img);
                        long d = System.nanoTime();
                        HeadMaps raw = torch.forward(TorchPredictor.stack(List.of(p), p.paddedHeight(), p.paddedWidth()), 1,
                                p.paddedHeight(), p.paddedWidth());
                        long e = System.nanoTime();
                        dets += post.apply(raw, p.paddedHeight(), p.paddedWidth()).get(0).size();
                        long f = System.nanoTime();
                        tsPrep += d - c;
                        tsFwd += e - d;
                        tsPost += f - e;
                    }
                }
                long[] after = ort.timings();
                double n = iters * 1e6;
                double assemble = (after[0] - before[0]) / n, run = (after[1] - before[1]) / n, decode = (after[2] - before[2]) / n;
                double ortMs = ortTotal / n, tsMs = (tsPrep + tsFwd + tsPost) / n;
                System.out.printf(Locale.ROOT, "%s %d px (input %dx%d, %d iters, %.0f dets/img): ONNX Runtime %.1f ms/img "
                                + "(session.run %.1f), TorchScript %.1f ms/img (forward %.1f, Java post %.1f) -> ORT/TS %.2f "
                                + "(run/forward %.2f)%n", name, side, p.paddedWidth(), p.paddedHeight(), iters, (double) dets / iters,
                        ortMs, run, tsMs, tsFwd / n, tsPost / n, ortMs / tsMs, run / (tsFwd / n));
                System.out.printf(Locale.ROOT, "    ORT own work: prepareRaw %.2f + assemble %.2f + decode %.3f ms = %.1f%% of session.run "
                                + "(with the full prepare, %.2f ms: %.1f%%)%n", ortPrep / n, assemble, decode,
                        100 * (ortPrep / n + assemble + decode) / run, tsPrep / n, 100 * (tsPrep / n + assemble + decode) / run);
            }
        }
    }
}
