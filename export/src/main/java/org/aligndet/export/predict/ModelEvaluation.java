package org.aligndet.export.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.export.eval.CocoDetections;
import org.aligndet.export.eval.CocoEvaluator;
import org.aligndet.export.eval.CocoGroundTruth;
import org.aligndet.export.eval.CocoResultsWriter;
import org.aligndet.export.eval.EvalInputException;
import org.aligndet.export.eval.EvalReport;
import org.aligndet.export.eval.IouType;
import org.aligndet.export.eval.VocEvaluator;
import org.aligndet.export.eval.VocResults;
import org.aligndet.trainer.data.CocoFile;
import org.aligndet.trainer.data.CocoJson;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.data.VocReader;
import org.aligndet.trainer.data.VocSplit;
import org.aligndet.trainer.image.ImageLimits;

/**
 * A model's predictions over a labelled set, written as a results file, then scored by the same
 * evaluators as the scoring mode ({@code aligndet eval --model}). The ground truth is read once and
 * gives both the images to predict on and the truth to score against. Missing and unreadable
 * images are skipped and count as images without detections; more missing than the settings allow
 * is an error before anything runs.
 */
public final class ModelEvaluation {
    /** The report, and the prediction run it scored (images, detections, skipped images). */
    public record Outcome(EvalReport report, PredictionRun.Outcome run) {
    }

    private final OnnxPredictor predictor;
    private final PredictionRun.Settings settings;

    /**
     * @param batch    images per ONNX Runtime call, at least 1
     * @param progress show a progress bar on the console
     */
    public ModelEvaluation(OnnxPredictor predictor, int batch, boolean progress) {
        this(predictor, new PredictionRun.Settings(batch, progress, ImageLimits.DEFAULT));
    }

    /** With the settings' pixel cap and share of missing images allowed (see {@link PredictionRun}). */
    public ModelEvaluation(OnnxPredictor predictor, PredictionRun.Settings settings) {
        this.predictor = predictor;
        this.settings = settings;
    }

    /**
     * COCO: images and ids from {@code annotations} (files resolved in {@code imagesDir}); labels map
     * to categories by name, else by position ({@link CategoryMap}). The results file is COCO results.
     */
    public Outcome coco(Path annotations, Path imagesDir, Path resultsFile) {
        return coco(annotations, imagesDir, resultsFile, IouType.BBOX);
    }

    /**
     * As {@link #coco(Path, Path, Path)} for either iou type. {@link IouType#SEGM} needs a model with
     * masks ({@link OnnxPredictor#hasMasks()}): each detection's mask is pasted into its image, the
     * results file is a mask results file (box, score and RLE per entry, as mmdetection writes
     * {@code segm} results), and mask AP is scored against the annotations' segmentations, exactly
     * what {@code aligndet eval --results FILE --iou-type segm} gives for that file.
     *
     * @throws EvalInputException for {@code segm} with a model without masks
     */
    public Outcome coco(Path annotations, Path imagesDir, Path resultsFile, IouType iouType) {
        boolean segm = iouType == IouType.SEGM;
        if (segm && !predictor.hasMasks()) {
            throw new EvalInputException("mask AP (--iou-type segm) needs a model with a 'masks' output (a Mask R-CNN export);"
                    + " this one gives boxes only");
        }
        CocoFile file = CocoJson.instances(annotations, segm);
        Dataset ds = CocoReader.read(file, imagesDir);
        long[] categoryOf = CategoryMap.of(predictor.classes(), ds.classes(), ds.categoryIds(), annotations.toString());
        PredictionRun.Outcome run = PredictionRun.run(predictor, ImageRef.all(ds), annotations.toString(),
                segm ? settings.withMasks() : settings, null);
        CocoDetections dets = segm ? ResultsFiles.toCocoMasks(run.images(), l -> categoryOf[l])
                : ResultsFiles.toCoco(run.detections(), l -> categoryOf[l]);
        CocoResultsWriter.write(resultsFile, dets);
        return new Outcome(EvalReport.coco(new CocoEvaluator(iouType).evaluate(CocoGroundTruth.of(file, iouType), dets)), run);
    }

    /**
     * VOC: the split's images ({@code JPEGImages/<id>.jpg}, as the VOC devkit names them) of
     * {@code vocDir} (a year directory, or a {@code VOCdevkit} holding {@code VOC2007}); label i is
     * {@code classes.get(i)}, and every object's class must be one of them. The results file is
     * {@link ResultsFiles#writeVocResults}'s; the detections scored are the values it holds
     * ({@link VocResults#asWritten}).
     */
    public Outcome voc(Path vocDir, String split, List<String> classes, VocEvaluator evaluator, Path resultsFile) {
        VocSplit truth = VocReader.parse(VocReader.yearDir(vocDir), split, classes);
        List<VocImage> images = truth.requireKnownClasses();
        if (classes.size() != predictor.classes().size()) {
            throw new EvalInputException("the model has " + predictor.classes().size() + " classes " + predictor.classes()
                    + " but " + classes.size() + " VOC class names were given");
        }
        List<ImageRef> refs = new ArrayList<>();
        for (VocImage img : images) {
            refs.add(new ImageRef(refs.size(), img.id(), truth.yearDir().resolve("JPEGImages").resolve(img.id() + ".jpg")));
        }
        PredictionRun.Outcome run = PredictionRun.run(predictor, refs, truth.yearDir() + " split " + split, settings, null);
        ResultsFiles.writeVocResults(resultsFile, run.detections());
        return new Outcome(EvalReport.voc(evaluator.evaluate(classes, images, VocResults.asWritten(run.detections()))), run);
    }
}
