package org.aligndet.export.predict;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aligndet.bridge.onnx.OnnxFormatException;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OnnxSession;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.bridge.onnx.ValueSpec;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.export.onnx.ExportMetadata;
import org.aligndet.trainer.infer.Detections;
import org.aligndet.trainer.infer.Prepared;
import org.aligndet.trainer.infer.Preprocessor;
import org.aligndet.trainer.mask.MaskPaste;
import org.aligndet.trainer.mask.Rle;

/**
 * Runs an exported detector ({@code aligndet export}) in ONNX Runtime: batches of {@link Prepared}
 * images in, detections in original image coordinates out.
 *
 * <p>Contract: the model has input {@code images float32 [N,3,H,W]} (RGB 0-255, normalised inside)
 * and outputs {@code dets float32 [N,K,5]} (x1, y1, x2, y2, score in input pixels) and
 * {@code labels int64 [N,K]}; rows with label -1 or score 0 are empty and dropped. A Mask R-CNN export
 * also has {@code masks float32 [N,K,S,S]}, each row's mask probabilities of its own class over its box:
 * {@link #predictMasks} pastes them into the original image ({@link MaskPaste}, threshold 0.5, as
 * mmdetection's {@code mask_thr_binary}); {@link #predict} does not ask for them, and ONNX Runtime
 * then skips the mask head. Classes and
 * pre-processing come from the model's {@link ExportMetadata}, so the file is all that is needed.
 * A batch is padded bottom/right to its largest padded height and width with the mean colour (the
 * same value single-image padding has), which leaves each image's boxes where they were. The input
 * is written into a direct buffer reused across calls and handed to ONNX Runtime without a copy.
 * The session uses CUDA when its provider loads, else the CPU; {@link OrtSessions} logs which, once
 * per predictor. Not thread-safe.
 */
public final class OnnxPredictor implements AutoCloseable {
    static final ValueSpec IMAGES = ValueSpec.of("images", DType.FLOAT32, "N", "3", "H", "W");
    static final ValueSpec DETS = ValueSpec.of("dets", DType.FLOAT32, "N", "K", "5");
    static final ValueSpec LABELS = ValueSpec.of("labels", DType.INT64, "N", "K");
    static final ValueSpec MASKS = ValueSpec.of("masks", DType.FLOAT32, "N", "K", "S", "S");

    /** One image's detections and, in the same order, their masks in the original image (null when not asked for). */
    public record Masked(Detections detections, List<Rle> masks) {
        public Masked {
            if (masks != null && masks.size() != detections.size()) {
                throw new IllegalArgumentException(detections.size() + " detections but " + masks.size() + " masks");
            }
            masks = masks == null ? null : List.copyOf(masks);
        }
    }

    private final OnnxSession session;
    private final ExportMetadata metadata;
    private final Preprocessor preprocessor;
    private final float[] mean;
    private final boolean masks;
    private FloatBuffer input = ByteBuffer.allocateDirect(0).asFloatBuffer();
    private long assembleNanos;
    private long runNanos;
    private long decodeNanos;

    private OnnxPredictor(OnnxSession session, ExportMetadata metadata, boolean masks) {
        this.session = session;
        this.metadata = metadata;
        this.masks = masks;
        this.preprocessor = metadata.preprocess().toPreprocessor();
        this.mean = metadata.preprocess().mean();
    }

    /**
     * Opens an exported model file.
     *
     * @param cudaDevice CUDA device to try, or {@link OrtSessions#CPU}
     * @throws OnnxFormatException naming the file when it is not an exported detector (inputs,
     *                             outputs or metadata) or ONNX Runtime rejects it
     */
    public static OnnxPredictor open(Path file, int cudaDevice) {
        OnnxModel model = OnnxModel.load(file);
        ExportMetadata meta = check(model); // the session reads the file itself
        return new OnnxPredictor(OrtSessions.open(file, cudaDevice), meta, hasMasks(model));
    }

    /** Opens a model held in memory, e.g. a checkpoint exported on the fly. */
    public static OnnxPredictor open(OnnxModel model, int cudaDevice) {
        ExportMetadata meta = check(model);
        return new OnnxPredictor(OrtSessions.open(model.toBytes(), model.source(), cudaDevice), meta, hasMasks(model));
    }

    /** Whether the model has a {@code masks} output, checked against {@link #MASKS} when it has. */
    private static boolean hasMasks(OnnxModel model) {
        if (model.outputs().stream().noneMatch(o -> o.name().equals(MASKS.name()))) {
            return false;
        }
        model.requireOutputs(MASKS);
        return true;
    }

    private static ExportMetadata check(OnnxModel model) {
        model.requireInputs(IMAGES);
        model.requireOutputs(DETS, LABELS);
        try {
            return ExportMetadata.fromProps(model.metadata(), model.source());
        } catch (RuntimeException e) {
            throw new OnnxFormatException(model.source(), "cannot serve this model: " + e.getMessage()
                    .replace(model.source() + ": ", ""));
        }
    }

    public ExportMetadata metadata() {
        return metadata;
    }

    /** Class names; a detection's label indexes this list. */
    public List<String> classes() {
        return metadata.classes();
    }

    /** The pre-processing the model was exported with. */
    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** Whether the model gives masks (a Mask R-CNN export): {@link #predictMasks} needs them. */
    public boolean hasMasks() {
        return masks;
    }

    /** {@code CUDA} or {@code CPU}. */
    public String provider() {
        return session.provider();
    }

    /** One run on a mean-coloured image at the model's own scale, so the first real batch is not slowed by set-up. */
    public void warmUp() {
        int[] s = preprocessor.scale();
        int d = preprocessor.divisor();
        int h = (s[1] + d - 1) / d * d;
        int w = (s[0] + d - 1) / d * d;
        float[] raw = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            Arrays.fill(raw, c * h * w, (c + 1) * h * w, mean[c]);
        }
        predict(List.of(new Prepared("warm-up", w, h, w, h, w, h, 1f, 1f, raw, null)));
        assembleNanos = runNanos = decodeNanos = 0;
    }

    /**
     * Detects objects in a batch.
     *
     * @param batch images prepared with {@link #preprocessor()} (or the same policy at another scale);
     *              {@link Preprocessor#prepareRaw} suffices, only {@link Prepared#raw()} is read
     * @return per image, in batch order, its detections in original image coordinates, highest score
     *         first, keyed by {@link Prepared#key()} without an image id
     */
    public List<Detections> predict(List<Prepared> batch) {
        return run(batch, false).stream().map(Masked::detections).toList();
    }

    /**
     * Detects objects and their masks in a batch ({@link #hasMasks()} must hold): as {@link #predict},
     * with each detection's mask pasted into its original image as a COCO {@link Rle}.
     *
     * @throws IllegalStateException when the model has no {@code masks} output
     */
    public List<Masked> predictMasks(List<Prepared> batch) {
        if (!masks) {
            throw new IllegalStateException(session.name() + ": the model has no 'masks' output (not a Mask R-CNN export)");
        }
        return run(batch, true);
    }

    private List<Masked> run(List<Prepared> batch, boolean withMasks) {
        if (batch.isEmpty()) {
            return List.of();
        }
        long t0 = System.nanoTime();
        int h = batch.stream().mapToInt(Prepared::paddedHeight).max().orElseThrow();
        int w = batch.stream().mapToInt(Prepared::paddedWidth).max().orElseThrow();
        FloatBuffer in = assemble(batch, h, w);
        long[] shape = {batch.size(), 3, h, w};
        var env = OrtSessions.environment();
        Set<String> wanted = withMasks ? Set.of("dets", "labels", "masks") : Set.of("dets", "labels");
        try (OnnxTensor images = OnnxTensor.createTensor(env, in, shape)) {
            long t1 = System.nanoTime();
            try (OrtSession.Result r = session.session().run(Map.of("images", images), wanted)) {
                long t2 = System.nanoTime();
                FloatBuffer dets = ((OnnxTensor) r.get("dets").orElseThrow()).getFloatBuffer();
                LongBuffer labels = ((OnnxTensor) r.get("labels").orElseThrow()).getLongBuffer();
                OnnxTensor m = withMasks ? (OnnxTensor) r.get("masks").orElseThrow() : null;
                List<Masked> out = decode(batch, dets, labels, m == null ? null : m.getFloatBuffer(),
                        m == null ? 0 : (int) m.getInfo().getShape()[2], m == null ? 0 : (int) m.getInfo().getShape()[3]);
                long t3 = System.nanoTime();
                assembleNanos += t1 - t0;
                runNanos += t2 - t1;
                decodeNanos += t3 - t2;
                return out;
            }
        } catch (OrtException e) {
            throw new OnnxFormatException(session.name(), "run failed on a batch of " + batch.size() + " ["
                    + h + "x" + w + "]: " + e.getMessage(), e);
        }
    }

    /** Planar [N, 3, h, w] into the reused direct buffer; area outside an image's own padding gets the mean. */
    FloatBuffer assemble(List<Prepared> batch, int h, int w) {
        int n = batch.size() * 3 * h * w;
        if (input.capacity() < n) {
            input = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        input.clear();
        for (Prepared p : batch) {
            int ph = p.paddedHeight();
            int pw = p.paddedWidth();
            float[] raw = p.raw();
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    if (y < ph) {
                        input.put(raw, (c * ph + y) * pw, pw);
                        fill(input, w - pw, mean[c]);
                    } else {
                        fill(input, w, mean[c]);
                    }
                }
            }
        }
        input.flip();
        return input;
    }

    private static void fill(FloatBuffer b, int count, float v) {
        for (int i = 0; i < count; i++) {
            b.put(v);
        }
    }

    /**
     * Rows with a label and a positive score, mapped to each original image (boxes left as they are,
     * even flat); with {@code masks}, each kept row's {@code maskH x maskW} probabilities pasted over its
     * original-image box.
     */
    private List<Masked> decode(List<Prepared> batch, FloatBuffer dets, LongBuffer labels, FloatBuffer masks, int maskH,
                                int maskW) {
        int k = labels.remaining() / batch.size();
        int per = maskH * maskW;
        float[] probs = masks == null ? null : new float[per];
        MaskPaste paste = MaskPaste.mmdetection();
        List<Masked> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Prepared p = batch.get(i);
            float[] boxes = new float[4 * k];
            float[] scores = new float[k];
            int[] labs = new int[k];
            List<Rle> rles = new ArrayList<>();
            int n = 0;
            for (int j = 0; j < k; j++) {
                int row = i * k + j;
                long label = labels.get(row);
                float score = dets.get(row * 5 + 4);
                if (label < 0 || score <= 0f) {
                    continue;
                }
                float[] b = p.toOriginal(dets.get(row * 5), dets.get(row * 5 + 1), dets.get(row * 5 + 2), dets.get(row * 5 + 3));
                System.arraycopy(b, 0, boxes, 4 * n, 4);
                scores[n] = score;
                labs[n++] = (int) label;
                if (masks != null) {
                    masks.get(row * per, probs, 0, per);
                    rles.add(paste.paste(probs, 0, maskH, maskW, b[0], b[1], b[2], b[3], p.originalHeight(), p.originalWidth()));
                }
            }
            Detections d = new Detections(p.key(), Detections.NO_ID, Arrays.copyOf(boxes, 4 * n), Arrays.copyOf(scores, n),
                    Arrays.copyOf(labs, n));
            out.add(new Masked(d, masks == null ? null : rles));
        }
        return out;
    }

    /** Ends ONNX Runtime's profiling (sessions opened after {@code OrtSessions.profileTo}); the profile file. */
    public java.nio.file.Path endProfiling() {
        return session.endProfiling();
    }

    /**
     * Time spent so far (since the warm-up) in nanoseconds: batch assembly into the input buffer,
     * {@code session.run}, and reading and mapping the outputs.
     */
    public long[] timings() {
        return new long[] {assembleNanos, runNanos, decodeNanos};
    }

    @Override
    public void close() {
        session.close();
    }
}
