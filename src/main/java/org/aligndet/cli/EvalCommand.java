package org.aligndet.cli;

import org.aligndet.export.eval.CocoDetections;
import org.aligndet.export.eval.CocoEvalResult;
import org.aligndet.export.eval.CocoEvaluator;
import org.aligndet.export.eval.CocoGroundTruth;
import org.aligndet.export.eval.EvalInputException;
import org.aligndet.export.eval.EvalReport;
import org.aligndet.export.eval.VocDetection;
import org.aligndet.export.eval.VocEvaluator;
import org.aligndet.export.eval.VocImage;
import org.aligndet.export.eval.VocResult;
import org.aligndet.export.eval.AtomicFiles;
import org.aligndet.export.predict.OnnxPredictor;
import org.aligndet.trainer.data.DatasetException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code aligndet eval}: scores a detections file ({@code --results}) against COCO or VOC ground
 * truth, or runs a model first ({@code --model}, see {@link ModelEval}): an exported {@code .onnx}
 * or a checkpoint with {@code --spec}, over {@code --coco-gt ANN --images DIR} or
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
    /** The 20 PASCAL VOC classes; category_id = index + 1. */
    public static final List<String> VOC_CLASSES = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat",
            "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor");

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
            EvalReport report = model.model != null ? withModel(out) : gt.cocoGt != null ? coco() : voc();
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
            ModelEval eval = new ModelEval(predictor, model.batch, !model.noProgress, out);
            Path resultsFile = outDir.resolve("results.json");
            EvalReport report;
            if (gt.cocoGt != null) {
                report = eval.coco(gt.cocoGt, images, resultsFile);
            } else {
                List<String> names = classes == null || classes.isEmpty() ? predictor.classes() : classes;
                Path yearDir = VocSplitReader.resolveYearDir(gt.voc);
                report = eval.voc(yearDir, split, names, VocSplitReader.read(yearDir, split, names),
                        new VocEvaluator(vocSemantics, vocMetric, 0.5), resultsFile);
            }
            report.writeJson(outDir.resolve("report.json"));
            AtomicFiles.writeBytes(outDir.resolve("report.md"), report.markdown().getBytes(StandardCharsets.UTF_8));
            out.println("detections: " + resultsFile + ", report: " + outDir.resolve("report.json") + ", " + outDir.resolve("report.md"));
            return report;
        }
    }

    private EvalReport coco() {
        CocoGroundTruth truth = CocoGroundTruth.read(gt.cocoGt);
        CocoDetections dets = CocoDetections.read(results);
        CocoEvalResult r = new CocoEvaluator().evaluate(truth, dets);
        return EvalReport.coco(r);
    }

    private EvalReport voc() {
        List<String> names = classes == null || classes.isEmpty() ? VOC_CLASSES : classes;
        Path yearDir = VocSplitReader.resolveYearDir(gt.voc);
        List<VocImage> images = VocSplitReader.read(yearDir, split, names);
        List<VocDetection> dets = vocDetections(images, names);
        VocResult r = new VocEvaluator(vocSemantics, vocMetric, 0.5).evaluate(names, images, dets);
        return EvalReport.voc(r);
    }

    /** COCO results onto VOC images and labels; unknown image ids and category ids are reported together. */
    private List<VocDetection> vocDetections(List<VocImage> images, List<String> names) {
        Map<String, Long> byId = new HashMap<>();
        Map<Long, Long> byNumber = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            String id = images.get(i).id();
            byId.put(id, (long) i);
            if (id.matches("\\d{1,18}")) {
                byNumber.put(Long.parseLong(id), (long) i);
            }
        }
        CocoDetections coco = CocoDetections.read(results, text -> {
            Long i = byId.get(text);
            return i != null || !text.matches("\\d{1,18}") ? i : byNumber.get(Long.parseLong(text));
        });
        List<VocDetection> out = new ArrayList<>(coco.size());
        List<String> bad = new ArrayList<>();
        int numBad = 0;
        for (int i = 0; i < coco.size(); i++) {
            long cat = coco.categoryId(i);
            if (cat < 1 || cat > names.size()) {
                if (numBad++ < 5) {
                    bad.add(cat + " (#" + i + ")");
                }
                continue;
            }
            double[] b = coco.bbox(i);
            out.add(new VocDetection(images.get((int) coco.imageId(i)).id(), (int) cat - 1, coco.score(i),
                    b[0] + 1, b[1] + 1, b[0] + b[2], b[1] + b[3]));
        }
        if (numBad > 0) {
            throw new EvalInputException(results + ": " + numBad + " detections have a category_id outside 1.." + names.size()
                    + " (category_id = 1 + index in " + names + "), e.g. " + String.join(", ", bad));
        }
        return out;
    }
}
