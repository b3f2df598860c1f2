/**
 * COCO and VOC evaluation with the reference implementations' arithmetic (pycocotools to 1e-9;
 * mmdetection's float32 and detectron2's float64 VOC columns), reports and plots.
 *
 * <p>Ground truth comes from the trainer's one COCO and VOC readers
 * ({@link org.aligndet.export.eval.CocoGroundTruth#of}, {@link org.aligndet.trainer.data.VocSplit});
 * detections come from results files or from the project's one detection record,
 * {@link org.aligndet.trainer.infer.Detections}, converted into the evaluators' float64 forms
 * ({@link org.aligndet.export.eval.CocoDetections}, {@link org.aligndet.export.eval.VocDetection}) in
 * explicitly named ways. IoU is {@link org.aligndet.trainer.box.Boxes}'. Scoring a results file is
 * {@link org.aligndet.export.eval.ResultsEvaluation}; running a model first is
 * {@link org.aligndet.export.predict.ModelEvaluation}.
 */
package org.aligndet.export.eval;
