package org.aligndet.export.eval;

import java.nio.file.Path;
import java.util.List;
import org.aligndet.trainer.data.CocoFile;
import org.aligndet.trainer.data.CocoJson;
import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.data.VocReader;

/**
 * Scores a results file ({@code [{image_id, category_id, bbox: [x, y, w, h], score}]}, or with
 * {@code segmentation} for mask AP) against
 * ground truth read by the trainer's dataset readers: what {@code aligndet eval --results} does.
 * Bad input is an {@link EvalInputException} or a {@code DatasetException}, naming the file.
 */
public final class ResultsEvaluation {
    private ResultsEvaluation() {
    }

    /**
     * COCO bbox evaluation against an instances file, pycocotools' numbers. Results that
     * {@code aligndet predict} numbered itself (an {@code images.json} beside them) must name the
     * same images as the annotation file ({@link PredictedImageList}).
     */
    public static EvalReport coco(Path annotations, Path results) {
        return coco(annotations, results, IouType.BBOX);
    }

    /**
     * As {@link #coco(Path, Path)} for either iou type: {@link IouType#SEGM} reads the annotations'
     * segmentations and a mask results file ({@link CocoDetections#readMasks}) and scores mask AP.
     */
    public static EvalReport coco(Path annotations, Path results, IouType iouType) {
        CocoFile truth = CocoJson.instances(annotations, iouType == IouType.SEGM);
        PredictedImageList.requireSameImages(results, truth);
        CocoDetections dets = iouType == IouType.SEGM ? CocoDetections.readMasks(results) : CocoDetections.read(results);
        return EvalReport.coco(new CocoEvaluator(iouType).evaluate(CocoGroundTruth.of(truth, iouType), dets));
    }

    /**
     * VOC evaluation of a split of {@code vocDir} (a year directory, or a {@code VOCdevkit} holding
     * {@code VOC2007}); every object's class must be in {@code classes}. Results as {@link VocResults#read}.
     */
    public static EvalReport voc(Path vocDir, String split, List<String> classes, VocEvaluator evaluator, Path results) {
        List<VocImage> images = VocReader.parse(VocReader.yearDir(vocDir), split, classes).requireKnownClasses();
        return EvalReport.voc(evaluator.evaluate(classes, images, VocResults.read(results, images, classes)));
    }
}
