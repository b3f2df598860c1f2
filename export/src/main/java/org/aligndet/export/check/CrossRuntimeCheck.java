package org.aligndet.export.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.export.eval.CocoDetections;
import org.aligndet.export.eval.CocoEvaluator;
import org.aligndet.export.eval.CocoGroundTruth;
import org.aligndet.export.onnx.ExportException;
import org.aligndet.export.onnx.ExportMetadata;
import org.aligndet.export.onnx.TrainedCheckpoint;
import org.aligndet.export.predict.CategoryMap;
import org.aligndet.export.predict.ImageRef;
import org.aligndet.trainer.image.CorruptImageException;
import org.aligndet.trainer.image.ImageDecoder;
import org.aligndet.trainer.infer.HeadMaps;
import org.aligndet.trainer.infer.Prepared;
import org.aligndet.trainer.infer.Preprocessor;
import org.aligndet.trainer.infer.TorchPredictor;
import org.aligndet.trainer.mask.MaskPaste;
import org.aligndet.trainer.mask.Rle;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;

/**
 * {@code aligndet check}: a checkpoint through TorchScript (DJL) and its ONNX export through ONNX
 * Runtime, on the same pre-processed tensors, compared.
 *
 * <p>Each image is pre-processed once with the model's own {@link ExportMetadata} pre-processing
 * ({@link Preprocessor#prepare}, both tensors of one {@link Prepared}); TorchScript gets the
 * normalised tensor, ONNX Runtime the raw one, each as a batch of one. Compared per image:
 * <ul>
 *   <li>the raw head outputs per level ({@code cls_score_L}, {@code bbox_pred_L}, {@code centerness_L}),
 *       element by element ({@link OutputDiff});</li>
 *   <li>the detections in network-input pixels, TorchScript's from Java post-processing, ONNX
 *       Runtime's from the template's {@code dets}/{@code labels}, matched one to one
 *       ({@link DetectionMatcher});</li>
 *   <li>with ground truth, COCO bbox AP and AP50 of each runtime's detections in original-image
 *       pixels (both mapped back by {@link TorchPredictor#toOriginal}), the ground truth restricted
 *       to the images checked; labels map to categories as in {@link CategoryMap}.</li>
 * </ul>
 * Unreadable images are skipped and listed. The first image is run once before the timed runs.
 */
public final class CrossRuntimeCheck implements AutoCloseable {
    private final ModelSpec spec;
    private final TwoRuntimes runtimes;
    private final ExportMetadata metadata;
    private final Preprocessor preprocessor;
    private final Tolerances tolerances;
    private final DetectionMatcher matcher;
    private final String checkpointName;
    private final String onnxName;
    private final List<String> notes;

    private CrossRuntimeCheck(ModelSpec spec, TwoRuntimes runtimes, ExportMetadata metadata, Tolerances tolerances,
                              String checkpointName, String onnxName, List<String> notes) {
        this.spec = spec;
        this.runtimes = runtimes;
        this.metadata = metadata;
        this.preprocessor = metadata.preprocess().toPreprocessor();
        this.tolerances = tolerances;
        this.matcher = DetectionMatcher.standard();
        this.checkpointName = checkpointName;
        this.onnxName = onnxName;
        this.notes = notes;
    }

    /**
     * Opens both runtimes.
     *
     * @param specName   the checkpoint's spec; null takes the checkpoint meta's {@code spec}, else the model's metadata
     * @param onnx       an exported model ({@code aligndet export}), with its metadata
     * @param cudaDevice CUDA device for ONNX Runtime, or {@link OrtSessions#CPU} (TorchScript runs on the CPU)
     * @throws ExportException when no spec is known, the model was exported for another spec, or
     *                         the checkpoint does not fit the spec's graph
     */
    public static CrossRuntimeCheck open(TrainedCheckpoint checkpoint, String specName, OnnxModel onnx, ModelSpecs specs,
                                         Tolerances tolerances, int cudaDevice) {
        ExportMetadata meta;
        try {
            meta = ExportMetadata.fromProps(onnx.metadata(), onnx.source());
        } catch (RuntimeException e) {
            throw new ExportException(onnx.source() + ": not an exported detector (aligndet export): " + e.getMessage(), e);
        }
        String ref = specName != null ? specName : checkpoint.specRef() != null ? checkpoint.specRef() : meta.spec();
        String name = specs.nameOf(ref);
        if (!name.equals(meta.spec())) {
            throw new ExportException(onnx.source() + " was exported for spec " + meta.spec() + ", but the checkpoint "
                    + checkpoint.file() + " is checked as spec " + name);
        }
        List<String> notes = new ArrayList<>();
        if (!Objects.equals(checkpoint.sha256(), meta.checkpointSha256())) {
            notes.add("the model's metadata names another checkpoint (" + meta.checkpointFile() + ", sha256 "
                    + abbrev(meta.checkpointSha256()) + ") than " + checkpoint.file().getFileName() + " (sha256 "
                    + abbrev(checkpoint.sha256()) + ")");
        }
        ModelSpec spec = specs.load(ref);
        TwoRuntimes rt = TwoRuntimes.open(spec, specs.graph(ref), checkpoint, onnx, cudaDevice);
        return new CrossRuntimeCheck(spec, rt, meta, tolerances, String.valueOf(checkpoint.file().getFileName()),
                onnx.source(), notes);
    }

    private static String abbrev(String sha) {
        return sha == null ? "unknown" : sha.substring(0, Math.min(12, sha.length()));
    }

    /** The pre-processing both runtimes' inputs come from (the model's metadata). */
    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** {@link #run(List, CocoGroundTruth, long)} with {@link ImageDecoder#DEFAULT_MAX_PIXELS}. */
    public CheckReport run(List<ImageRef> images, CocoGroundTruth gt) {
        return run(images, gt, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /**
     * Runs the check.
     *
     * @param images    what to check, at least one readable; ids are ground-truth image ids when {@code gt} is given
     * @param gt        COCO ground truth for AP ({@link CocoGroundTruth#read}), or null
     * @param maxPixels images above this many pixels are skipped and listed like unreadable ones
     * @throws IllegalArgumentException when no image could be read
     */
    public CheckReport run(List<ImageRef> images, CocoGroundTruth gt, long maxPixels) {
        Map<String, OutputDiff.Accumulator> diffs = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        CocoDetections.Builder torchDets = CocoDetections.builder();
        CocoDetections.Builder onnxDets = CocoDetections.builder();
        long[] categoryOf = gt == null ? null : CategoryMap.of(metadata.classes(), gt.categoryNames(),
                java.util.Arrays.stream(gt.categoryIds()).boxed().toList(), gt.source());
        List<Long> checkedIds = new ArrayList<>();
        int torchCount = 0, onnxCount = 0, matched = 0;
        double[] maskStats = {0, 0, Double.POSITIVE_INFINITY, 0}; // pairs, IoU sum, least IoU, pairs below
        long torchNanos = 0, onnxNanos = 0;
        boolean warm = false;
        for (ImageRef ref : images) {
            Prepared p;
            try {
                p = preprocessor.prepare(ref.file(), maxPixels);
            } catch (CorruptImageException e) {
                skipped.add(ref.file() + ": " + e.reason());
                continue;
            }
            if (!warm) {
                runtimes.torch(p);
                runtimes.onnx(p);
                warm = true;
            }
            TwoRuntimes.Outputs t = runtimes.torch(p);
            TwoRuntimes.Outputs o = runtimes.onnx(p);
            torchNanos += t.nanos();
            onnxNanos += o.nanos();
            if (t.raw() != null && o.raw() != null) { // dense heads; two-stage detectors are compared by their detections
                compare(t.raw(), o.raw(), ref.key(), diffs);
            }
            torchCount += t.detections().size();
            onnxCount += o.detections().size();
            matched += matcher.count(t.detections(), o.detections());
            if (t.masks() != null && o.masks() != null) {
                compareMasks(t, o, p, maskStats);
            }
            checkedIds.add(ref.id());
            if (gt != null) {
                torchDets.add(TorchPredictor.toOriginal(t.detections(), p).withImage(ref.key(), ref.id()), categoryOf);
                onnxDets.add(TorchPredictor.toOriginal(o.detections(), p).withImage(ref.key(), ref.id()), categoryOf);
            }
        }
        int n = checkedIds.size();
        if (n == 0) {
            throw new IllegalArgumentException("no readable image to check (" + skipped.size() + " skipped"
                    + (skipped.isEmpty() ? "" : ", e.g. " + skipped.get(0)) + ")");
        }
        CheckReport.ApComparison ap = null;
        if (gt != null) {
            CocoGroundTruth sub = gt.restrictedTo(checkedIds.stream().mapToLong(Long::longValue).toArray());
            double[] ts = new CocoEvaluator().evaluate(sub, torchDets.build()).stats();
            double[] os = new CocoEvaluator().evaluate(sub, onnxDets.build()).stats();
            ap = new CheckReport.ApComparison(gt.source(), ts[0], ts[1], os[0], os[1]);
        }
        List<String> allNotes = new ArrayList<>(notes);
        if (torchCount == 0 && onnxCount == 0) {
            allNotes.add("neither runtime detected anything above the score threshold: the detection match is vacuous");
        }
        List<OutputDiff> outs = diffs.values().stream().map(OutputDiff.Accumulator::result).toList();
        CheckReport.MaskComparison masks = !runtimes.masks() ? null : new CheckReport.MaskComparison((int) maskStats[0],
                maskStats[0] == 0 ? Double.NaN : maskStats[1] / maskStats[0], maskStats[0] == 0 ? Double.NaN : maskStats[2],
                (int) maskStats[3]);
        return new CheckReport(spec.name(), checkpointName, onnxName, runtimes.provider(), n, skipped, outs,
                new CheckReport.Matching(torchCount, onnxCount, matched, matcher.minIou(), matcher.maxScoreDelta()), masks, ap,
                torchNanos / 1e6 / n, onnxNanos / 1e6 / n, tolerances, allNotes);
    }

    /** The matched pairs' masks pasted into the original image (threshold 0.5) and compared by mask IoU. */
    private void compareMasks(TwoRuntimes.Outputs t, TwoRuntimes.Outputs o, Prepared p, double[] stats) {
        int[] pair = matcher.pairs(t.detections(), o.detections());
        int per = t.detections().size() == 0 ? 0 : t.masks().length / t.detections().size();
        int side = (int) Math.round(Math.sqrt(per));
        MaskPaste paste = MaskPaste.mmdetection();
        for (int i = 0; i < pair.length; i++) {
            int j = pair[i];
            if (j < 0) {
                continue;
            }
            float[] a = p.toOriginal(t.detections().box(i)[0], t.detections().box(i)[1], t.detections().box(i)[2], t.detections().box(i)[3]);
            float[] b = p.toOriginal(o.detections().box(j)[0], o.detections().box(j)[1], o.detections().box(j)[2], o.detections().box(j)[3]);
            Rle ma = paste.paste(t.masks(), i * per, side, side, a[0], a[1], a[2], a[3], p.originalHeight(), p.originalWidth());
            Rle mb = paste.paste(o.masks(), j * per, side, side, b[0], b[1], b[2], b[3], p.originalHeight(), p.originalWidth());
            double iou = ma.area() == 0 && mb.area() == 0 ? 1.0 : Rle.iou(ma, mb, false);
            stats[0]++;
            stats[1] += iou;
            stats[2] = Math.min(stats[2], iou);
            if (!(iou >= CheckReport.MIN_MASK_IOU)) {
                stats[3]++;
            }
        }
    }

    private void compare(HeadMaps a, HeadMaps b, String image, Map<String, OutputDiff.Accumulator> diffs) {
        if (a.levels() != b.levels() || a.centerness().size() != b.centerness().size()) {
            throw new IllegalStateException(image + ": TorchScript gave " + a.levels() + " levels, ONNX Runtime " + b.levels());
        }
        compareKind("cls_score", a.cls(), b.cls(), image, diffs);
        compareKind("bbox_pred", a.box(), b.box(), image, diffs);
        compareKind("centerness", a.centerness(), b.centerness(), image, diffs);
    }

    private void compareKind(String kind, List<HeadMaps.Level> a, List<HeadMaps.Level> b, String image,
                             Map<String, OutputDiff.Accumulator> diffs) {
        for (int l = 0; l < a.size(); l++) {
            HeadMaps.Level x = a.get(l), y = b.get(l);
            if (x.channels() != y.channels() || x.height() != y.height() || x.width() != y.width()) {
                throw new IllegalStateException(kind + "_" + l + " of " + image + ": TorchScript [" + x.channels() + ", " + x.height()
                        + ", " + x.width() + "], ONNX Runtime [" + y.channels() + ", " + y.height() + ", " + y.width() + "]");
            }
            int level = l;
            diffs.computeIfAbsent(kind + "_" + l, k -> new OutputDiff.Accumulator(kind, level, tolerances.relFloor()))
                    .add(x.data(), y.data(), image);
        }
    }

    @Override
    public void close() {
        runtimes.close();
    }
}
