package org.aligndet.export.eval;

import java.nio.file.Path;
import java.util.List;
import org.aligndet.trainer.data.CocoFile;
import org.aligndet.trainer.data.CocoJson;
import org.aligndet.trainer.data.VocImage;
import org.aligndet.trainer.data.VocReader;

/**
 * Scores a results file ({@code [{image_id, category_id, bbox: [x, y, w, h], score}]}) against
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
        CocoFile truth = CocoJson.instances(annotations);
        PredictedImageList.requireSameImages(results, truth);
        return EvalReport.coco(new CocoEvaluator().evaluate(CocoGroundTruth.of(truth), CocoDetections.read(results)));
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
