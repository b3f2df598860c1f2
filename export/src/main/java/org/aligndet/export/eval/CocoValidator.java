package org.aligndet.export.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.data.CocoFile;
import org.aligndet.trainer.data.CocoJson;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.data.Instance;
import org.aligndet.trainer.finetune.ValidationResult;
import org.aligndet.trainer.finetune.Validator;
import org.aligndet.trainer.image.CorruptImageException;
import org.aligndet.trainer.infer.Detections;
import org.aligndet.trainer.infer.Prepared;
import org.aligndet.trainer.infer.Preprocessor;
import org.aligndet.trainer.infer.TorchPredictor;

/**
 * Fine-tuning validation by COCO bbox evaluation ({@link CocoEvaluator}, pycocotools' numbers):
 * each image through the training graph ({@link TorchPredictor}, test-time pre-processing), boxes
 * mapped to original pixels, scored against the ground truth.
 *
 * <p>Metrics, under mmdetection's names: {@code bbox_mAP}, {@code bbox_mAP_50}, {@code bbox_mAP_75},
 * {@code bbox_mAP_s}, {@code bbox_mAP_m}, {@code bbox_mAP_l} (the first six COCO stats; -1 where a
 * range has no ground truth). The primary metric is {@code bbox_mAP}.
 *
 * <p>Ground truth: a COCO annotation file is parsed once and read exactly as pycocotools reads it
 * ({@link CocoGroundTruth#of}); its images come from the same parse. A VOC set (or any
 * {@link Dataset}) is converted: category ids are the labels + 1, the annotation area is the box
 * area, and VOC {@code difficult} objects become crowd regions, so detections on them are neither
 * rewarded nor punished (an approximation of VOC's rule; use {@code aligndet eval} for VOC mAP).
 */
public final class CocoValidator implements Validator {
    private static final String[] NAMES = {"bbox_mAP", "bbox_mAP_50", "bbox_mAP_75", "bbox_mAP_s", "bbox_mAP_m", "bbox_mAP_l"};

    private final CocoGroundTruth gt;
    private final List<ImageRecord> images;
    private final long[] categoryOfLabel;
    private final Preprocessor pre;
    private final int batch;
    private final List<String> skipped = new ArrayList<>();

    private CocoValidator(CocoGroundTruth gt, List<ImageRecord> images, long[] categoryOfLabel, Preprocessor pre, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("validation batch must be >= 1, got " + batch);
        }
        this.gt = gt;
        this.images = List.copyOf(images);
        this.categoryOfLabel = categoryOfLabel;
        this.pre = pre;
        this.batch = batch;
    }

    /** A COCO annotation file and its image folder; labels map to the file's sorted category ids. */
    public static CocoValidator coco(Path annotations, Path imagesDir, Preprocessor pre, int batch) {
        CocoFile file = CocoJson.instances(annotations);
        Dataset ds = CocoReader.read(file, imagesDir);
        long[] cats = ds.categoryIds().stream().mapToLong(Integer::longValue).toArray();
        return new CocoValidator(CocoGroundTruth.of(file), ds.images(), cats, pre, batch);
    }

    /** Any labelled dataset (VOC), converted as the class comment says. */
    public static CocoValidator of(Dataset ds, Preprocessor pre, int batch) {
        CocoGroundTruth.Builder b = CocoGroundTruth.builder(ds.source());
        for (int c = 0; c < ds.classes().size(); c++) {
            b.category(c + 1, ds.classes().get(c));
        }
        long annId = 1;
        for (ImageRecord r : ds.images()) {
            b.image(r.id());
            for (Instance in : r.instances()) {
                double w = in.width(), h = in.height();
                b.annotation(annId++, r.id(), in.label() + 1, in.x1(), in.y1(), w, h, w * h, in.crowd() || in.difficult() || in.ignore());
            }
        }
        long[] cats = new long[ds.classes().size()];
        for (int c = 0; c < cats.length; c++) {
            cats[c] = c + 1;
        }
        return new CocoValidator(b.build(), ds.images(), cats, pre, batch);
    }

    public int size() {
        return images.size();
    }

    /** The ground truth the validator scores against. */
    public CocoGroundTruth groundTruth() {
        return gt;
    }

    /**
     * The detections of every validation image, COCO results form (image ids and category ids of the
     * ground truth). An image that cannot be read is skipped, listed in {@link #skipped()} and counts
     * as an image without detections, as {@code eval --model} does.
     */
    public CocoDetections detect(TorchPredictor predictor) {
        CocoDetections.Builder dets = CocoDetections.builder();
        skipped.clear();
        for (int from = 0; from < images.size(); from += batch) {
            List<ImageRecord> part = new ArrayList<>();
            List<Prepared> prepared = new ArrayList<>();
            for (ImageRecord r : images.subList(from, Math.min(images.size(), from + batch))) {
                try {
                    prepared.add(pre.prepare(r.file()));
                    part.add(r);
                } catch (CorruptImageException e) {
                    skipped.add(r.file() + ": " + e.getMessage());
                }
            }
            if (part.isEmpty()) {
                continue;
            }
            List<Detections> out = predictor.predict(prepared).detections();
            for (int i = 0; i < part.size(); i++) {
                ImageRecord r = part.get(i);
                dets.add(out.get(i).withImage(r.key(), r.id()), categoryOfLabel);
            }
        }
        return dets.build();
    }

    /** The images the last {@link #detect} could not read, each with the reason. */
    public List<String> skipped() {
        return List.copyOf(skipped);
    }

    @Override
    public ValidationResult validate(TorchPredictor predictor, long iteration) {
        double[] stats = new CocoEvaluator().evaluate(gt, detect(predictor)).stats();
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.length; i++) {
            m.put(NAMES[i], stats[i]);
        }
        return new ValidationResult(ValidationResult.BBOX_MAP, m, skipped());
    }
}
