package org.aligndet.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.aligndet.export.eval.AtomicFiles;
import org.aligndet.export.eval.EvalInputException;
import org.aligndet.export.eval.EvalReport;
import org.aligndet.export.eval.ResultsEvaluation;
import org.aligndet.export.eval.VocEvaluator;
import org.aligndet.export.predict.ModelEvaluation;
import org.aligndet.export.predict.OnnxPredictor;
import org.aligndet.export.predict.PredictionRun;
import org.aligndet.trainer.data.DatasetException;
import org.aligndet.trainer.data.VocReader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aligndet eval}: scores a detections file ({@code --results}, {@link ResultsEvaluation})
 * against COCO or VOC ground truth, or runs a model first ({@code --model}, {@link ModelEvaluation}):
 * an exported {@code .onnx} or a checkpoint with {@code --spec}, over {@code --coco-gt ANN --images DIR} or
 * {@code --voc DIR --split test}; the detections it writes ({@code OUT/results.json}) are the
 * file the scoring mode reads, and the report goes to {@code OUT/report.json} and
 * {@code OUT/report.md}. For VOC the class names default to the model's.
 *
 * <p>Detections are a COCO results file ({@code [{image_id, category_id, bbox: [x, y, w, h], score}]},
 * 0-based continuous pixels). For {@code --voc}: {@code image_id} is the VOC image id as a string
 * ({@code "000001"}) or as a number ({@code 1}, matched to the all-digit id of that value);
 * {@code category_id} is 1 + the index in {@code --classes} (the 20 VOC classes in their usual
 * order by default); a box maps to VOC's 1-based inclusive frame as {@code xmin = x + 1,
 * xmax = x + w}. Exit codes: 0 scored, 1 bad input (message on stderr), 2 usage error.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score a detections file (--results), or run a model and score it (--model): COCO bbox AP exactly as "
                + "pycocotools, or PASCAL VOC AP (07 11-point or area).")
public final class EvalCommand implements Callable<Integer> {
    static final class GroundTruth {
        @Option(names = "--coco-gt", paramLabel = "ANN.json", description = "COCO instances annotations", required = true)
        Path cocoGt;

        @Option(names = "--voc", paramLabel = "DIR", description = "VOC2007-style folder (or a VOCdevkit holding VOC2007)", required = true)
        Path voc;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    GroundTruth gt;

    @Option(names = "--results", paramLabel = "DETS.json", description = "detections in COCO results format (scoring mode)")
    Path results;

    @Mixin
    ModelOptions model;

    @Option(names = "--images", paramLabel = "DIR", description = "with --model and --coco-gt: where the annotation file's images are")
    Path images;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "eval-out", description = "with --model: where results.json and report.{json,md} go (default ${DEFAULT-VALUE})")
    Path outDir;

    @Option(names = "--split", defaultValue = "test", description = "VOC image set (ImageSets/Main/<split>.txt), default ${DEFAULT-VALUE}")
    String split;

    @Option(names = "--classes", split = ",", description = "VOC class names in category_id order (default: the 20 VOC classes)")
    List<String> classes;

    @Option(names = "--voc-metric", defaultValue = "ELEVEN_POINT", description = "ELEVEN_POINT (VOC2007) or AREA (VOC2010+), default ${DEFAULT-VALUE}")
    VocEvaluator.Metric vocMetric;

    @Option(names = "--voc-semantics", defaultValue = "MMDETECTION", description = "MMDETECTION (eval_map) or DETECTRON2 (voc_eval), default ${DEFAULT-VALUE}")
    VocEvaluator.Semantics vocSemantics;

    @Option(names = "--iou-type", defaultValue = "bbox", description = "bbox (segm comes with Mask R-CNN)")
    String iouType;

    @Option(names = "--json", paramLabel = "FILE", description = "write the report as JSON")
    Path json;

    @Option(names = "--plots", paramLabel = "DIR", description = "write precision/recall PNGs, 10 classes per chart")
    Path plots;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!iouType.equals("bbox")) {
            err.println("error: --iou-type " + iouType + " is not supported yet; only bbox is"
                    + (iouType.equals("segm") ? " (segm arrives with the Mask R-CNN work)" : ""));
            return 2;
        }
        if ((results == null) == (model.model == null)) {
            err.println("error: give either --results (score a detections file) or --model (run a model, then score)");
            return 2;
        }
        if (model.model != null && gt.cocoGt != null && images == null) {
            err.println("error: --model with --coco-gt needs --images DIR (where the annotation file's images are)");
            return 2;
        }
        try {
            EvalReport report = model.model != null ? withModel(out)
                    : gt.cocoGt != null ? ResultsEvaluation.coco(gt.cocoGt, results)
                    : ResultsEvaluation.voc(gt.voc, split, classesOr(VocReader.VOC_CLASSES), evaluator(), results);
            out.print(report.markdown());
            if (json != null) {
                report.writeJson(json);
                out.println("report: " + json);
            }
            if (plots != null) {
                report.writePlots(plots).forEach(p -> out.println("plot: " + p));
            }
            out.flush();
            return 0;
        } catch (EvalInputException | DatasetException | UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private EvalReport withModel(PrintWriter out) {
        try (OnnxPredictor predictor = model.open(null)) {
            ModelEvaluation eval = new ModelEvaluation(predictor, model.batch, !model.noProgress);
            Path resultsFile = outDir.resolve("results.json");
            ModelEvaluation.Outcome o = gt.cocoGt != null ? eval.coco(gt.cocoGt, images, resultsFile)
                    : eval.voc(gt.voc, split, classesOr(predictor.classes()), evaluator(), resultsFile);
            printRun(out, o.run(), predictor.provider());
            EvalReport report = o.report();
            report.writeJson(outDir.resolve("report.json"));
            AtomicFiles.writeBytes(outDir.resolve("report.md"), report.markdown().getBytes(StandardCharsets.UTF_8));
            out.println("detections: " + resultsFile + ", report: " + outDir.resolve("report.json") + ", " + outDir.resolve("report.md"));
            return report;
        }
    }

    /** {@code --classes}, or {@code fallback} when not given. */
    private List<String> classesOr(List<String> fallback) {
        return classes == null || classes.isEmpty() ? fallback : classes;
    }

    private VocEvaluator evaluator() {
        return new VocEvaluator(vocSemantics, vocMetric, 0.5);
    }

    private static void printRun(PrintWriter out, PredictionRun.Outcome o, String provider) {
        if (!o.skipped().isEmpty()) {
            out.printf("warning: %d images skipped (unreadable; scored as images without detections):%n", o.skipped().size());
            o.skipped().stream().limit(10).forEach(s -> out.println("  " + s.file() + ": " + s.reason()));
        }
        out.printf("%d images, %d detections (%s provider)%n", o.images().size(), o.numDetections(), provider);
    }
}
