package org.aligndet.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.aligndet.export.eval.AtomicFiles;
import org.aligndet.export.eval.EvalReport;
import org.aligndet.export.eval.IouType;
import org.aligndet.export.eval.ResultsEvaluation;
import org.aligndet.export.eval.VocEvaluator;
import org.aligndet.export.predict.ModelEvaluation;
import org.aligndet.export.predict.OnnxPredictor;
import org.aligndet.trainer.data.VocReader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aligndet eval}: scores a detections file ({@code --results}, {@link ResultsEvaluation})
 * against COCO or VOC ground truth, or runs a model first ({@code --model}, {@link ModelEvaluation}):
 * an exported {@code .onnx} or a checkpoint with {@code --spec}, over {@code --coco-gt ANN --images DIR} or
 * {@code --voc DIR --split test}; the detections it writes ({@code OUT/results.json}) are the
 * file the scoring mode reads. The report goes to {@code OUT/report.json}, {@code OUT/report.md}
 * and {@code OUT/plots/} in both modes ({@code --out} defaults to {@code eval-out} with
 * {@code --model}; without {@code --out} the scoring mode only prints). For VOC the class names
 * default to the model's.
 *
 * <p>Detections are a COCO results file ({@code [{image_id, category_id, bbox: [x, y, w, h], score}]},
 * 0-based continuous pixels). For {@code --voc}: {@code image_id} is the VOC image id as a string
 * ({@code "000001"}) or as a number ({@code 1}, matched to the all-digit id of that value);
 * {@code category_id} is 1 + the index in {@code --classes} (the 20 VOC classes in their usual
 * order by default); a box maps to VOC's 1-based inclusive frame as {@code xmin = x + 1,
 * xmax = x + w}. With {@code --iou-type segm} the results carry {@code segmentation} RLEs
 * (mmdetection's mask results) and mask AP is scored against the annotations' segmentations
 * ({@link ResultsEvaluation#coco(Path, Path, IouType)}); with {@code --model} (a Mask R-CNN export)
 * the masks are pasted into each image and written into {@code results.json} that way. It goes with
 * {@code --coco-gt} only. Errors go through {@link Main}'s handlers like every command's. Exit codes: 0
 * scored, 1 bad input (one line on stderr), 2 usage error.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score a detections file (--results), or run a model and score it (--model): COCO bbox AP (or mask AP "
                + "with --iou-type segm) exactly as pycocotools, or PASCAL VOC AP (07 11-point or area).",
        footer = {"%nExample:%n  aligndet eval --model model.onnx --coco-gt data/annotations/instances_val.json \\%n"
                + "      --images data/val --out runs/eval%n"
                + "  aligndet eval --results runs/eval/results.json --coco-gt data/annotations/instances_val.json \\%n"
                + "      --out runs/rescored%n"
                + "  aligndet eval --results segm.json --coco-gt data/annotations/instances_val.json --iou-type segm%n"
                + "  aligndet eval --model mask_rcnn.onnx --coco-gt data/annotations/instances_val.json --images data/val \\%n"
                + "      --iou-type segm --out runs/segm",
            "%nExit codes: 0 scored, 1 bad input, 2 usage."})
public final class EvalCommand implements Callable<Integer> {
    /** Where {@code --model} writes when {@code --out} is not given. */
    static final String DEFAULT_OUT = "eval-out";

    static final class GroundTruth {
        @Option(names = "--coco-gt", paramLabel = "ANN.json", description = "COCO instances annotations (default: none)", required = true)
        Path cocoGt;

        @Option(names = "--voc", paramLabel = "DIR", description = "VOC2007-style folder, or a VOCdevkit holding VOC2007 (default: none)",
                required = true)
        Path voc;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    GroundTruth gt;

    @Option(names = "--results", paramLabel = "DETS.json", description = "detections in COCO results format: the scoring mode (default: none)")
    Path results;

    @Mixin
    ModelOptions model;

    @Mixin
    ImageInputOptions imageLimits;

    @Option(names = "--images", paramLabel = "DIR", description = "with --model and --coco-gt: where the annotation file's images are (default: none)")
    Path images;

    @Option(names = "--out", paramLabel = "DIR",
            description = "where report.json, report.md and plots/ go, and results.json with --model (default: " + DEFAULT_OUT
                    + " with --model; with --results the report is only printed)")
    Path outDir;

    @Option(names = "--split", defaultValue = "test", description = "VOC image set, ImageSets/Main/<split>.txt (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--classes", paramLabel = "NAMES", description = "VOC class names in category_id order: " + ClassNames.FORMAT
            + " (default: the model's with --model, else the 20 VOC classes)")
    String classes;

    @Option(names = "--voc-metric", defaultValue = "ELEVEN_POINT", description = "ELEVEN_POINT (VOC2007) or AREA (VOC2010+) (default: ${DEFAULT-VALUE})")
    VocEvaluator.Metric vocMetric;

    @Option(names = "--voc-semantics", defaultValue = "MMDETECTION", description = "MMDETECTION (eval_map) or DETECTRON2 (voc_eval) (default: ${DEFAULT-VALUE})")
    VocEvaluator.Semantics vocSemantics;

    @Option(names = "--iou-type", defaultValue = "bbox", description = "COCO: bbox (box AP) or segm (mask AP: of a results file whose "
            + "entries have segmentation RLEs, as mmdetection writes them, or of a Mask R-CNN --model; with --coco-gt) "
            + "(default: ${DEFAULT-VALUE})")
    String iouType;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON here (default: none)")
    Path json;

    @Option(names = "--plots", paramLabel = "DIR", description = "also write precision/recall PNGs here, 10 classes per chart (default: none)")
    Path plots;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        requireUsage();
        Path dir = outDir != null ? outDir : model.model != null ? Path.of(DEFAULT_OUT) : null;
        checkOutputs(dir);
        EvalReport report = model.model != null ? withModel(out, dir)
                : gt.cocoGt != null ? ResultsEvaluation.coco(gt.cocoGt, results, iou())
                : ResultsEvaluation.voc(gt.voc, split, classesOr(VocReader.VOC_CLASSES), evaluator(), results);
        out.print(report.markdown());
        if (dir != null) {
            writeReport(out, report, dir);
        }
        if (json != null) {
            report.writeJson(json);
            out.println("report: " + json);
        }
        if (plots != null) {
            report.writePlots(plots).forEach(p -> out.println("plot: " + p));
        }
        out.flush();
        return 0;
    }

    /** @throws ParameterException for options that do not go together */
    private void requireUsage() {
        IouType type = iou();
        if ((results == null) == (model.model == null)) {
            throw new ParameterException(spec.commandLine(), "give either --results (score a detections file) or --model (run a model, then score)");
        }
        if (type == IouType.SEGM && gt.voc != null) {
            throw new ParameterException(spec.commandLine(), "--iou-type segm scores masks: it goes with --coco-gt (VOC has no mask AP here)");
        }
        if (model.model != null && gt.cocoGt != null && images == null) {
            throw new ParameterException(spec.commandLine(), "--model with --coco-gt needs --images DIR (where the annotation file's images are)");
        }
    }

    private void checkOutputs(Path dir) {
        OutputPaths paths = new OutputPaths(spec).in("--coco-gt", gt.cocoGt).in("--voc", gt.voc).in("--results", results)
                .in("--model", model.model).in("--images", images).in("--classes", classes)
                .out("--json", json).out("--plots", plots);
        if (dir != null) {
            paths.out("--out", dir).out("--out", dir.resolve("report.json")).out("--out", dir.resolve("report.md"))
                    .out("--out", dir.resolve("plots"));
            if (model.model != null) {
                paths.out("--out", dir.resolve("results.json")).out("--out", dir.resolve("skipped.txt"));
            }
        }
        paths.check();
    }

    private EvalReport withModel(PrintWriter out, Path dir) {
        try (OnnxPredictor predictor = model.open(null)) {
            ModelEvaluation eval = new ModelEvaluation(predictor, model.settings(imageLimits.limits()));
            Path resultsFile = dir.resolve("results.json");
            ModelEvaluation.Outcome o = gt.cocoGt != null ? eval.coco(gt.cocoGt, images, resultsFile, iou())
                    : eval.voc(gt.voc, split, classesOr(predictor.classes()), evaluator(), resultsFile);
            SkippedImages.report(out, o.run().skipped(), "scored as images without detections", dir.resolve("skipped.txt"));
            out.printf("%d images, %d detections (%s provider) -> %s%n", o.run().images().size(), o.run().numDetections(),
                    predictor.provider(), resultsFile);
            return o.report();
        }
    }

    /** report.json, report.md and plots/ into {@code dir}. */
    private static void writeReport(PrintWriter out, EvalReport report, Path dir) {
        report.writeJson(dir.resolve("report.json"));
        AtomicFiles.writeBytes(dir.resolve("report.md"), report.markdown().getBytes(StandardCharsets.UTF_8));
        List<Path> charts = report.writePlots(dir.resolve("plots"));
        out.println("report: " + dir.resolve("report.json") + ", " + dir.resolve("report.md") + ", " + charts.size() + " plots in "
                + dir.resolve("plots"));
    }

    /** {@code --iou-type} as a type; an unknown name is a usage error. */
    private IouType iou() {
        try {
            return IouType.parse(iouType);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--iou-type: " + e.getMessage());
        }
    }

    /** {@code --classes}, or {@code fallback} when not given. */
    private List<String> classesOr(List<String> fallback) {
        return classes == null ? fallback : ClassNames.parse(classes);
    }

    private VocEvaluator evaluator() {
        return new VocEvaluator(vocSemantics, vocMetric, 0.5);
    }
}
