package org.aligndet.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.export.check.CheckReport;
import org.aligndet.export.check.CrossRuntimeCheck;
import org.aligndet.export.check.Tolerances;
import org.aligndet.export.eval.CocoGroundTruth;
import org.aligndet.export.onnx.TrainedCheckpoint;
import org.aligndet.export.predict.ImageRef;
import org.aligndet.trainer.data.CocoFile;
import org.aligndet.trainer.data.CocoJson;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.spec.ModelSpecs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aligndet check}: a checkpoint through TorchScript (DJL, decoding and NMS in Java) and its
 * ONNX export through ONNX Runtime, on the same pre-processed tensors ({@link CrossRuntimeCheck}).
 * Prints the Markdown report; {@code --json} and {@code --md} write it too (atomically).
 *
 * <p>Images: the first {@code -n} of {@code --images} (a file, or a folder searched recursively,
 * sorted by relative path), or with {@code --coco-gt} the first {@code -n} of the annotation
 * file's images (resolved in {@code --images}), which adds AP of each runtime.
 *
 * <p>Exit codes: {@value #PASSED} every tolerance held; {@value #FAILED} a tolerance was exceeded
 * (the report lists which); 1 error (unreadable input, a checkpoint that does not fit); 2 usage.
 */
@Command(name = "check", mixinStandardHelpOptions = true, defaultValueProvider = CheckCommand.CpuByDefault.class,
        description = "Cross-runtime check: the same images through TorchScript (DJL) and ONNX Runtime; raw head outputs, "
                + "detections and AP compared against tolerances (exit 0 pass, 3 fail, 1 error).",
        footer = {"%nExample:%n  aligndet check --checkpoint runs/ft/best.pth --model model.onnx --images data/val \\%n"
                + "      --coco-gt data/annotations/instances_val.json -n 50 --json check.json",
            "%nExit codes: 0 every tolerance held, 3 a tolerance was exceeded (the report says which), 1 error, 2 usage."})
public final class CheckCommand implements Callable<Integer> {
    public static final int PASSED = 0;
    public static final int FAILED = 3;

    @Option(names = "--checkpoint", paramLabel = "CKPT", required = true, description = "the trained checkpoint (torch zip)")
    Path checkpoint;

    @Option(names = "--model", paramLabel = "MODEL.onnx", description = "the ONNX model exported from it by aligndet export (required)")
    Path onnx;

    @Option(names = "--onnx", hidden = true, paramLabel = "MODEL.onnx", description = "old name of --model (required)")
    void oldModelName(Path file) {
        onnx = file;
    }

    @Option(names = "--images", paramLabel = "DIR|FILE", required = true, description = "an image, or a folder searched recursively")
    Path images;

    @Option(names = "-n", paramLabel = "N", defaultValue = "50", converter = Ranges.AtLeastOne.class,
            description = "check at most this many images (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--spec", paramLabel = "NAME|FILE.json", description = "the checkpoint's spec, a name of model-specs/ or a spec "
            + "file FILE.json (default: its meta's, else the model's)")
    String specName;

    @Option(names = "--coco-gt", paramLabel = "ANN", description = "COCO instances file for the images: adds AP of each runtime (default: none)")
    Path cocoGt;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON (default: none)")
    Path json;

    @Option(names = "--md", paramLabel = "FILE", description = "also write the report as Markdown (default: none)")
    Path md;

    @Option(names = "--max-abs", paramLabel = "X", defaultValue = "" + Tolerances.DEFAULT_MAX_ABS, converter = Ranges.NonNegativeReal.class,
            description = "largest |a - b| of any raw head output element (default: ${DEFAULT-VALUE})")
    double maxAbs;

    @Option(names = "--max-rel", paramLabel = "X", defaultValue = "Infinity", converter = Ranges.NonNegativeReal.class,
            description = "largest |a - b| / max(|a|, |b|, --rel-floor) (default: reported, not bounded)")
    double maxRel;

    @Option(names = "--rel-floor", paramLabel = "X", defaultValue = "" + Tolerances.DEFAULT_REL_FLOOR, converter = Ranges.Positive.class,
            description = "floor of the relative difference's denominator (default: ${DEFAULT-VALUE})")
    double relFloor;

    @Option(names = "--min-matched", paramLabel = "F", defaultValue = "" + Tolerances.DEFAULT_MIN_MATCHED, converter = Ranges.UnitInterval.class,
            description = "least share of each runtime's detections matched one to one, IoU >= 0.99 and |score diff| <= 1e-4 "
                    + "(default: ${DEFAULT-VALUE})")
    double minMatched;

    @Option(names = "--max-ap-delta", paramLabel = "X", defaultValue = "" + Tolerances.DEFAULT_MAX_AP_DELTA,
            converter = Ranges.NonNegativeReal.class,
            description = "largest |AP difference|, COCO AP and AP50 each, with --coco-gt (default: ${DEFAULT-VALUE})")
    double maxApDelta;

    @Mixin
    OrtDeviceOptions device;

    @Mixin
    ImageInputOptions imageLimits;

    @Spec
    CommandSpec spec;

    /** {@code --device cpu} unless given: the tolerances are set for CPU against CPU (TorchScript stays on the CPU). */
    static final class CpuByDefault implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            return arg instanceof OptionSpec o && o.longestName().equals("--device") ? "cpu" : null;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (onnx == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--model=MODEL.onnx'");
        }
        new OutputPaths(spec).in("--checkpoint", checkpoint).in("--model", onnx).in("--images", images).in("--coco-gt", cocoGt)
                .out("--json", json).out("--md", md).check();
        Tolerances tol = new Tolerances(maxAbs, maxRel, relFloor, minMatched, maxApDelta);
        CocoFile coco = cocoGt == null ? null : CocoJson.instances(cocoGt);
        List<ImageRef> refs = imageRefs(coco);
        TrainedCheckpoint ckpt = TrainedCheckpoint.read(checkpoint);
        OnnxModel model = OnnxModel.load(onnx);
        CheckReport report;
        try (CrossRuntimeCheck check = CrossRuntimeCheck.open(ckpt, specName, model, ModelSpecs.locate(), tol, device.cudaDevice())) {
            report = check.run(refs, coco == null ? null : CocoGroundTruth.of(coco), imageLimits.maxPixels);
        }
        out.print(report.markdown());
        if (json != null) {
            report.writeJson(json);
            out.println("report: " + json);
        }
        if (md != null) {
            report.writeMarkdown(md);
            out.println("report: " + md);
        }
        out.flush();
        return report.passed() ? PASSED : FAILED;
    }

    /** The first {@code -n} images of the annotation file (when given) or of {@code --images}. */
    private List<ImageRef> imageRefs(CocoFile coco) {
        List<ImageRef> refs;
        if (coco != null) {
            if (!Files.isDirectory(images)) {
                throw new IllegalArgumentException("with --coco-gt, --images must be the folder the annotation file's images are in: "
                        + images.toAbsolutePath());
            }
            refs = ImageRef.all(CocoReader.read(coco, images));
        } else {
            refs = ImageRef.folder(images);
        }
        if (refs.isEmpty()) {
            throw new IllegalArgumentException("no images in " + (cocoGt != null ? cocoGt : images).toAbsolutePath());
        }
        refs = refs.subList(0, Math.min(limit, refs.size()));
        imageLimits.limits().requirePresent(refs.stream().map(ImageRef::file).toList(), String.valueOf(cocoGt != null ? cocoGt : images));
        return refs;
    }
}
