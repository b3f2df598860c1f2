package org.aligndet.export.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.export.onnx.ExportMetadata;
import org.aligndet.export.predict.OnnxPredictor;
import org.aligndet.trainer.bench.BenchResult;
import org.aligndet.trainer.bench.BenchScenes;
import org.aligndet.trainer.bench.PythonReference;
import org.aligndet.trainer.bench.SideBySide;
import org.aligndet.trainer.bench.Timing;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.infer.Preprocessor;
import org.aligndet.trainer.infer.TorchPredictor;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * {@code bench inference}: per-image latency, batch 1, of the two serving paths on the same model
 * and image in one process, in alternating blocks: ONNX Runtime ({@link OnnxPredictor}: raw
 * pre-processing, {@code session.run} with decoding and NMS in the graph, output decoding) and
 * TorchScript through DJL ({@link TorchPredictor}: pre-processing, forward, Java post-processing).
 * Both get the spec's generated weights with the classifier bias set to 0, so that thousands of
 * candidates reach NMS (the focal prior would leave post-processing idle). ONNX Runtime's threads
 * do not spin ({@link OrtSessions#cpuThreading}), so they leave the cores to libtorch between runs.
 *
 * <p>With {@code eagerPython} (a Python with torch and torchvision) and a RetinaNet R50 spec, the
 * same run also times torchvision's {@code retinanet_resnet50_fpn} in eager mode (random weights,
 * classifier bias 0, {@code min_size} the bench's short side) through {@code tools/bench/eager_retinanet.py}.
 */
public final class InferenceBench {
    private InferenceBench() {
    }

    /** @param ortProfile where ONNX Runtime's profile goes (a file name prefix), or null for none */
    public record Settings(int height, int width, int shortSide, int warmup, int iters, int block, int threads,
                           Path eagerPython, Path ortProfile) {
    }

    public static BenchResult run(ModelSpecs specs, String name, Settings s, PrintStream log) throws Exception {
        ModelSpec spec = specs.load(name);
        if (!Files.isRegularFile(specs.graph(name)) || !Files.isRegularFile(specs.onnxTemplate(name))) {
            throw new IllegalArgumentException(name + ": graphs not generated (" + specs.graph(name) + ", " + specs.onnxTemplate(name)
                    + "); run /usr/bin/python3 model-specs/generator/generate.py --spec " + name);
        }
        OrtSessions.cpuThreading(s.threads(), false);
        OrtSessions.profileTo(s.ortProfile());
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads libtorch: its thread setting is a native call
        if (s.threads() > 0) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(s.threads());
        }
        DetectorFamily family = DetectorFamily.of(spec);
        String bias = family.classifierBias();
        OnnxModel onnx = OnnxModel.load(specs.onnxTemplate(name));
        HostTensor zero = HostTensor.ofFloats(onnx.initializer(bias).shape(), new float[(int) onnx.initializer(bias).numel()]);
        onnx.replaceInitializer(bias, zero);
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < spec.numClasses(); i++) {
            classes.add("c" + i);
        }
        int[] sc = spec.imgScale();
        onnx.putMetadata(new ExportMetadata(name, classes, new ExportMetadata.Preprocessing(spec.mean(), spec.std(), sc[0], sc[1],
                spec.padDivisor()), "bench", "0".repeat(64), new ExportMetadata.Provenance(null, null, null, null)).toProps());
        int side = s.shortSide() > 0 ? s.shortSide() : Math.min(sc[0], sc[1]);
        int longMax = Math.max(sc[0], sc[1]);
        TorchGraph graph = TorchGraph.load(specs.graph(name), Device.cpu());
        graph.load(Map.of(bias, zero)); // the rest stays as generated
        try (TorchGraph g = graph; OnnxPredictor ort = OnnxPredictor.open(onnx, OrtSessions.CPU);
             Mat img = new BenchScenes(s.height(), s.width(), spec.numClasses(), 1, 7).image(0)) {
            TorchPredictor torch = TorchPredictor.of(family, g);
            Preprocessor pre = ort.preprocessor().withScale(longMax, side);
            int[] dets = new int[2];
            Map<String, Timing> t = new SideBySide()
                    .add("onnxruntime", run -> dets[0] = ort.predict(List.of(pre.prepareRaw("img", img))).get(0).size())
                    .add("torchscript", run -> dets[1] = torch.predict(List.of(pre.prepare("img", img))).detections().get(0).size())
                    .measure(s.warmup(), s.iters(), s.block());
            BenchResult r = new BenchResult("inference").variants(t);
            var p = pre.prepare("img", img);
            r.setting("spec", name).setting("image", s.height() + "x" + s.width()).setting("input", p.paddedHeight() + "x" + p.paddedWidth())
                    .setting("scale", List.of(longMax, side)).setting("threads", s.threads() > 0 ? s.threads()
                            : ai.djl.pytorch.jni.JniUtils.getNumThreads()).setting("ort_spinning", false)
                    .setting("onnxruntime", OrtSessions.version());
            r.ratio("ort_over_torchscript", "onnxruntime", "torchscript");
            r.figure("onnxruntime_detections", dets[0]).figure("torchscript_detections", dets[1]);
            r.figure("torchscript_spread", t.get("torchscript").spread()).figure("onnxruntime_spread", t.get("onnxruntime").spread());
            if (s.ortProfile() != null) {
                Path profile = ort.endProfiling();
                OrtSessions.profileTo(null);
                r.figure("ort_profile", profile.toString());
                List<JsonNode> kernels = kernelEvents(profile); // read once for both figures
                r.figure("ort_time_by_op", timeByOp(kernels));
                ConvWork w = convWork(kernels);
                if (w.macsPerRun() > 0) {
                    // the convolutions' arithmetic against the time: how near the cores' own rate the runtime runs
                    r.figure("conv_gmac_per_image", w.macsPerRun() / 1e9);
                    r.figure("ort_conv_kernel_gmac_per_s", w.kernelRate() / 1e9);
                    r.figure("onnxruntime_gmac_per_s", w.macsPerRun() / t.get("onnxruntime").median() / 1e9);
                    r.figure("torchscript_gmac_per_s", w.macsPerRun() / t.get("torchscript").median() / 1e9);
                }
            }
            if (s.eagerPython() != null) {
                eager(s, side, longMax, name, r, log);
            }
            return r;
        }
    }

    /**
     * The nodes' kernel runs in an ONNX Runtime profile (Chrome trace events of category {@code Node}
     * named {@code *_kernel_time}), in the profile's order.
     */
    static List<JsonNode> kernelEvents(Path profile) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(profile.toFile())) {
            if ("Node".equals(e.path("cat").asText()) && e.path("name").asText().endsWith("_kernel_time")) {
                out.add(e);
            }
        }
        return out;
    }

    /** Share of the kernel time per operator type ({@link #kernelEvents}), largest first: {@code "Conv": 0.81}. */
    static Map<String, Double> timeByOp(List<JsonNode> kernels) {
        Map<String, Double> us = new java.util.HashMap<>();
        double total = 0;
        for (JsonNode e : kernels) {
            String op = e.path("args").path("op_name").asText("?");
            double d = e.path("dur").asDouble();
            us.merge(op, d, Double::sum);
            total += d;
        }
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        double t = total;
        us.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
                .forEach(e -> out.put(e.getKey(), Math.round(1e4 * e.getValue() / t) / 1e4));
        return out;
    }

    /**
     * The convolutions among a profile's kernel runs ({@link #kernelEvents}): multiply-accumulates per run (each {@code Conv} node
     * once: output positions {@code N H W} times the weight's {@code O x I/g x kh x kw}, from the shapes
     * the profile records) and the rate of the {@code Conv} kernels over all profiled runs.
     *
     * @param macsPerRun  0 if the profile holds no convolution with its shapes
     * @param kernelRate  multiply-accumulates per second of {@code Conv} kernel time
     */
    record ConvWork(double macsPerRun, double kernelRate) {
    }

    static ConvWork convWork(List<JsonNode> kernels) {
        Map<String, Double> macsOf = new java.util.HashMap<>();
        double macsRun = 0, kernelUs = 0;
        for (JsonNode e : kernels) {
            JsonNode args = e.path("args");
            if (!"Conv".equals(args.path("op_name").asText())) {
                continue;
            }
            Double macs = macsOf.get(e.path("name").asText());
            if (macs == null) {
                JsonNode out = shape(args.path("output_type_shape"), 0);
                JsonNode w = shape(args.path("input_type_shape"), 1);
                if (out == null || w == null || out.size() != 4 || w.size() != 4) {
                    continue; // shapes not recorded: nothing to count
                }
                macs = out.get(0).asDouble() * out.get(2).asDouble() * out.get(3).asDouble()
                        * w.get(0).asDouble() * w.get(1).asDouble() * w.get(2).asDouble() * w.get(3).asDouble();
                macsOf.put(e.path("name").asText(), macs);
            }
            macsRun += macs;
            kernelUs += e.path("dur").asDouble();
        }
        double perRun = macsOf.values().stream().mapToDouble(Double::doubleValue).sum();
        return new ConvWork(perRun, kernelUs > 0 ? macsRun / (kernelUs / 1e6) : 0);
    }

    /** The dims of a profile's {@code i}-th typed shape ({@code [{"float": [1, 3, 8, 8]}, ...]}), or null. */
    private static JsonNode shape(JsonNode typed, int i) {
        JsonNode t = typed.path(i);
        return t.isObject() && t.size() == 1 ? t.elements().next() : null;
    }

    /** torchvision eager on the same image size, timed by the Python script in this same run. */
    private static void eager(Settings s, int side, int longMax, String name, BenchResult r, PrintStream log) throws IOException,
            InterruptedException {
        if (!name.startsWith("retinanet_r50")) {
            r.note("torchvision eager is timed only for the RetinaNet R50 specs (torchvision's retinanet_resnet50_fpn); skipped for "
                    + name);
            return;
        }
        PythonReference.Result ref = PythonReference.run(s.eagerPython(), "eager_retinanet.py", List.of("--height",
                String.valueOf(s.height()), "--width", String.valueOf(s.width()), "--min-size", String.valueOf(side), "--max-size",
                String.valueOf(longMax), "--iters", String.valueOf(s.iters()), "--warmup", String.valueOf(Math.max(1, s.warmup())),
                "--threads", String.valueOf(s.threads() > 0 ? s.threads() : ai.djl.pytorch.jni.JniUtils.getNumThreads())), log);
        JsonNode j = ref.json();
        r.variant("torchvision_eager", ref.timing());
        r.ratio("ort_over_eager", "onnxruntime", "torchvision_eager");
        r.ratio("torchscript_over_eager", "torchscript", "torchvision_eager");
        r.note(String.format(Locale.ROOT, "torchvision %s, torch %s, run after the Java runtimes in the same bench", j.path("torchvision")
                .asText(), j.path("torch").asText()));
    }
}
