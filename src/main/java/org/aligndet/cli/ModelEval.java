package org.aligndet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.export.eval.CocoDetections;
import org.aligndet.export.eval.CocoEvaluator;
import org.aligndet.export.eval.AsWritten;
import org.aligndet.export.eval.CocoGroundTruth;
import org.aligndet.export.eval.CocoResultsWriter;
import org.aligndet.export.eval.EvalInputException;
import org.aligndet.export.eval.EvalReport;
import org.aligndet.export.eval.VocDetection;
import org.aligndet.export.eval.VocEvaluator;
import org.aligndet.export.eval.VocImage;
import org.aligndet.export.predict.CategoryMap;
import org.aligndet.export.predict.ImageRef;
import org.aligndet.export.predict.OnnxPredictor;
import org.aligndet.export.predict.PredictionRun;
import org.aligndet.export.predict.ResultsFiles;
import org.aligndet.trainer.data.CocoFile;
import org.aligndet.trainer.data.CocoJson;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.infer.Detections;

/**
 * {@code aligndet eval --model}: predictions over a labelled set, written as a results file, then
 * scored by the same evaluators as the scoring mode. Unreadable images are skipped with a warning
 * and count as images without detections.
 */
final class ModelEval {
    private final OnnxPredictor predictor;
    private final int batch;
    private final boolean progress;
    private final java.io.PrintWriter console;

    ModelEval(OnnxPredictor predictor, int batch, boolean progress, java.io.PrintWriter console) {
        this.predictor = predictor;
        this.batch = batch;
        this.progress = progress;
        this.console = console;
    }

    /** COCO: images and ids from {@code ann} (files resolved in {@code imagesDir}); labels map to categories by name, else by position. */
    EvalReport coco(Path ann, Path imagesDir, Path resultsFile) {
        CocoFile file = CocoJson.instances(ann);
        Dataset ds = CocoReader.read(file, imagesDir);
        long[] categoryOf = CategoryMap.of(predictor.classes(), ds.classes(), ds.categoryIds(), ann.toString());
        List<ImageRef> refs = ImageRef.all(ds);
        PredictionRun.Outcome o = run(refs);
        CocoDetections dets = ResultsFiles.toCoco(o.detections(), l -> categoryOf[l]);
        CocoResultsWriter.write(resultsFile, dets);
        return EvalReport.coco(new CocoEvaluator().evaluate(CocoGroundTruth.of(file), dets));
    }

    /**
     * VOC: the split's images ({@code JPEGImages/<id>.jpg}); label i is {@code names.get(i)}. Boxes go
     * to VOC's 1-based frame as the scoring mode converts results: {@code xmin = x1 + 1, xmax = x2}.
     */
    EvalReport voc(Path yearDir, String split, List<String> names, List<VocImage> truth, VocEvaluator evaluator, Path resultsFile) {
        if (names.size() != predictor.classes().size()) {
            throw new EvalInputException("the model has " + predictor.classes().size() + " classes " + predictor.classes()
                    + " but " + names.size() + " VOC class names were given");
        }
        List<ImageRef> refs = new ArrayList<>();
        for (VocImage img : truth) {
            refs.add(new ImageRef(refs.size(), img.id(), yearDir.resolve("JPEGImages").resolve(img.id() + ".jpg")));
        }
        PredictionRun.Outcome o = run(refs);
        ResultsFiles.writeVocResults(resultsFile, o.detections());
        List<VocDetection> dets = new ArrayList<>();
        for (Detections d : o.detections()) {
            float[] b = d.boxes();
            for (int i = 0; i < d.size(); i++) {
                dets.add(new VocDetection(d.key(), d.labels()[i], AsWritten.decimal(d.scores()[i]), AsWritten.decimal(b[4 * i]) + 1,
                        AsWritten.decimal(b[4 * i + 1]) + 1, AsWritten.decimal(b[4 * i + 2]), AsWritten.decimal(b[4 * i + 3])));
            }
        }
        return EvalReport.voc(evaluator.evaluate(names, truth, dets));
    }

    private PredictionRun.Outcome run(List<ImageRef> refs) {
        PredictionRun.Outcome o = PredictionRun.run(predictor, refs, batch, progress, null);
        if (!o.skipped().isEmpty()) {
            console.printf("warning: %d images skipped (unreadable; scored as images without detections):%n", o.skipped().size());
            o.skipped().stream().limit(10).forEach(s -> console.println("  " + s.file() + ": " + s.reason()));
        }
        console.printf("%d images, %d detections (%s provider)%n", o.images().size(), o.numDetections(), predictor.provider());
        return o;
    }
}
