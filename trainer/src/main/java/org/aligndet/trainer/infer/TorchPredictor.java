package org.aligndet.trainer.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.family.TwoStageFamily;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.model.TwoStageDetector;
import org.aligndet.trainer.model.HeadOutputs;

/**
 * Detections from a dense TorchScript detector (DJL, no autograd, eval mode) with post-processing in
 * Java ({@link DensePostprocess}, the family's: {@code family.DenseFamily#postprocess}): the TorchScript side of fine-tuning validation and of the
 * cross-runtime check.
 *
 * <p>A batch of {@link Prepared} images is stacked into one normalised {@code [N, 3, H, W]} input,
 * {@code H, W} the largest padded height and width, extra padding 0 (the normalised mean, as in
 * training). Boxes are decoded and clipped in that input's pixels, then mapped to each original image
 * ({@link Prepared#toOriginal}); boxes left with no width or height are dropped.
 *
 * <p>Not thread-safe: one predictor drives one graph.
 */
public final class TorchPredictor {
    private final DenseDetector detector;
    private final DensePostprocess post;
    private final TwoStageDetector twoStage;
    private final TwoStagePostprocess twoStagePost;

    public TorchPredictor(DenseDetector detector, DensePostprocess post) {
        this.detector = detector;
        this.post = post;
        this.twoStage = null;
        this.twoStagePost = null;
    }

    /** A two-stage detector's predictor: its raw outputs are not kept ({@link Prediction#raw} is null). */
    public TorchPredictor(TwoStageDetector detector, TwoStagePostprocess post) {
        this.detector = null;
        this.post = null;
        this.twoStage = detector;
        this.twoStagePost = post;
    }

    /** The predictor of a graph with its family's rules and test settings. */
    public static TorchPredictor of(DetectorFamily family, TorchGraph graph) {
        if (family instanceof DenseFamily d) {
            return new TorchPredictor(d.detector(graph), d.postprocess());
        }
        if (family instanceof TwoStageFamily t) {
            return new TorchPredictor(t.detector(graph), new TwoStagePostprocess(t, t.testConfig()));
        }
        throw new IllegalArgumentException(family.spec().name() + ": no TorchScript predictor for family " + family.spec().family().id());
    }

    /** The dense post-processing; null for a two-stage detector. */
    public DensePostprocess postprocess() {
        return post;
    }

    /**
     * One batch's result.
     *
     * @param detections      per image, original-image pixels, keyed by {@link Prepared#key()} (no image id)
     * @param inputDetections per image, network-input pixels, before mapping back
     * @param raw             the raw head outputs, for cross-runtime comparison (dense detectors; null for two-stage)
     * @param inputHeight     H of the stacked input
     * @param inputWidth      W of the stacked input
     * @param masks           Mask R-CNN: per image, each of {@code inputDetections}' mask probabilities of its
     *                        own class, {@code [D, S, S]} (the ONNX template's {@code masks}); else null
     */
    public record Prediction(List<Detections> detections, List<Detections> inputDetections, HeadMaps raw,
                             int inputHeight, int inputWidth, List<float[]> masks) {
        public Prediction(List<Detections> detections, List<Detections> inputDetections, HeadMaps raw, int inputHeight,
                          int inputWidth) {
            this(detections, inputDetections, raw, inputHeight, inputWidth, null);
        }
    }

    /** Runs the batch (at least one image) and post-processes it. */
    public Prediction predict(List<Prepared> batch) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int h = 0, w = 0;
        for (Prepared p : batch) {
            h = Math.max(h, p.paddedHeight());
            w = Math.max(w, p.paddedWidth());
        }
        HeadMaps raw = null;
        List<Detections> input;
        List<float[]> masks = null;
        if (twoStage != null) {
            TwoStagePostprocess.Result r = forwardTwoStage(stack(batch, h, w), batch.size(), h, w);
            input = r.detections();
            masks = r.masks();
        } else {
            raw = forward(stack(batch, h, w), batch.size(), h, w);
            input = post.apply(raw, h, w);
        }
        List<Detections> original = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            original.add(toOriginal(input.get(i), batch.get(i)));
        }
        return new Prediction(original, input, raw, h, w, masks);
    }

    /**
     * Raw head outputs for normalised images {@code float[n*3*h*w]} ({@code [N, 3, H, W]}, row-major):
     * classifier logits, box branch and (FCOS) centre-ness per level, copied to the host. The graph's
     * train/eval mode is restored afterwards.
     */
    public HeadMaps forward(float[] images, int n, int h, int w) {
        if (images.length != n * 3 * h * w) {
            throw new IllegalArgumentException("images hold " + images.length + " floats, not [" + n + ", 3, " + h + ", " + w + "]");
        }
        if (detector == null) {
            throw new IllegalStateException("a two-stage detector has no dense head maps");
        }
        TorchGraph graph = detector.graph();
        boolean training = graph.isTraining();
        graph.setTraining(false);
        try (NDManager scope = graph.manager().newSubManager()) {
            NDArray x = NdTensors.floats(scope, images, new Shape(n, 3, h, w));
            HeadOutputs head = detector.head(x, false, false);
            NDList logits = detector.classify(head.clsFeats(), false);
            return new HeadMaps(host(logits), host(head.boxOut()), host(head.centerness()));
        } finally {
            graph.setTraining(training);
        }
    }

    private TwoStagePostprocess.Result forwardTwoStage(float[] images, int n, int h, int w) {
        TorchGraph graph = twoStage.graph();
        boolean training = graph.isTraining();
        graph.setTraining(false);
        try (NDManager scope = graph.manager().newSubManager()) {
            return twoStagePost.detect(twoStage, NdTensors.floats(scope, images, new Shape(n, 3, h, w)));
        } finally {
            graph.setTraining(training);
        }
    }

    private static List<HeadMaps.Level> host(List<NDArray> arrays) {
        List<HeadMaps.Level> out = new ArrayList<>(arrays.size());
        for (NDArray a : arrays) {
            long[] s = a.getShape().getShape();
            out.add(new HeadMaps.Level(a.toFloatArray(), (int) s[0], (int) s[1], (int) s[2], (int) s[3]));
        }
        return out;
    }

    /** Normalised images stacked into {@code float[N*3*h*w]}, each at the top left, the rest 0. */
    public static float[] stack(List<Prepared> batch, int h, int w) {
        float[] out = new float[batch.size() * 3 * h * w];
        for (int i = 0; i < batch.size(); i++) {
            Prepared p = batch.get(i);
            int ph = p.paddedHeight(), pw = p.paddedWidth();
            if (ph > h || pw > w) {
                throw new IllegalArgumentException(p.key() + ": " + pw + "x" + ph + " does not fit " + w + "x" + h);
            }
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < ph; y++) {
                    System.arraycopy(p.normalised(), (c * ph + y) * pw, out, ((i * 3 + c) * h + y) * w, pw);
                }
            }
        }
        return out;
    }

    /**
     * Detections in network-input pixels mapped to the original image of {@code p} (scaled and
     * clipped), keyed by its key; those left with zero width or height are dropped. Order is kept.
     */
    public static Detections toOriginal(Detections input, Prepared p) {
        int n = input.size();
        float[] boxes = new float[4 * n];
        float[] scores = new float[n];
        int[] labels = new int[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            float[] b = input.boxes();
            float[] o = p.toOriginal(b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]);
            if (o[2] > o[0] && o[3] > o[1]) {
                System.arraycopy(o, 0, boxes, 4 * kept, 4);
                scores[kept] = input.scores()[i];
                labels[kept++] = input.labels()[i];
            }
        }
        return new Detections(p.key(), input.imageId(), Arrays.copyOf(boxes, 4 * kept), Arrays.copyOf(scores, kept),
                Arrays.copyOf(labels, kept));
    }
}
