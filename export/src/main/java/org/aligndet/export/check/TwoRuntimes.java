package org.aligndet.export.check;

import ai.djl.Device;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.OnnxSession;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.LoadReport;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.export.onnx.ExportException;
import org.aligndet.export.onnx.TrainedCheckpoint;
import org.aligndet.export.onnx.WeightCheck;
import org.aligndet.trainer.infer.Detections;
import org.aligndet.trainer.infer.HeadMaps;
import org.aligndet.trainer.infer.Prepared;
import org.aligndet.trainer.infer.TorchPredictor;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.model.ClassifierSizing;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * The two runtimes of a check, side by side: the spec's TorchScript graph with the checkpoint's
 * weights (DJL, CPU, eval mode, post-processing in Java by {@link TorchPredictor}) and an ONNX
 * Runtime session on the exported model. Each takes one {@link Prepared} image as a batch of one:
 * TorchScript its {@code normalised} tensor, ONNX Runtime its {@code raw} one (the template
 * normalises inside). Not thread-safe.
 */
final class TwoRuntimes implements AutoCloseable {
    /** One runtime's answer for one image: raw head outputs (dense detectors; null for two-stage), detections in network-input pixels, wall time. */
    record Outputs(HeadMaps raw, Detections detections, long nanos, float[] masks) {
        Outputs(HeadMaps raw, Detections detections, long nanos) {
            this(raw, detections, nanos, null);
        }
    }

    private final ModelSpec spec;
    private final TorchGraph graph;
    private final boolean dense;
    private final boolean masks;
    private final TorchPredictor torch;
    private final OnnxSession session;

    private TwoRuntimes(ModelSpec spec, DetectorFamily family, TorchGraph graph, OnnxSession session) {
        this.spec = spec;
        this.graph = graph;
        this.dense = family instanceof DenseFamily;
        this.masks = family instanceof org.aligndet.trainer.family.TwoStageFamily t && t.hasMasks();
        this.torch = TorchPredictor.of(family, graph);
        this.session = session;
    }

    /**
     * @param graph      the spec's TorchScript graph file
     * @param cudaDevice CUDA device for ONNX Runtime, or {@link OrtSessions#CPU}
     * @throws ExportException when the checkpoint does not fit the graph (names listed)
     */
    static TwoRuntimes open(ModelSpec spec, java.nio.file.Path graph, TrainedCheckpoint checkpoint, OnnxModel onnx, int cudaDevice) {
        TorchGraph g = TorchGraph.load(graph, Device.cpu());
        OnnxSession s = null;
        try {
            ClassifierSizing.apply(spec, g, 0);
            Map<String, WeightCheck.Param> params = new LinkedHashMap<>();
            g.stateDict().forEach((k, v) -> params.put(k, new WeightCheck.Param(v.dtype(), v.shape())));
            LoadReport r = g.load(WeightCheck.select(checkpoint.stateDict(), params, checkpoint.file().toString()));
            if (!r.complete()) {
                throw new ExportException(graph + ": loading " + checkpoint.file() + " failed: " + r);
            }
            s = OrtSessions.openBesideTorch(onnx.toBytes(), onnx.source(), cudaDevice);
            return new TwoRuntimes(spec, DetectorFamily.of(spec), g, s);
        } catch (RuntimeException e) {
            g.close();
            if (s != null) {
                s.close();
            }
            throw e;
        }
    }

    /** Whether both runtimes give masks (Mask R-CNN). */
    boolean masks() {
        return masks;
    }

    String provider() {
        return session.provider();
    }

    Outputs torch(Prepared p) {
        long t0 = System.nanoTime();
        TorchPredictor.Prediction pred = torch.predict(List.of(p));
        long t = System.nanoTime() - t0;
        return new Outputs(pred.raw(), pred.inputDetections().get(0), t, pred.masks() == null ? null : pred.masks().get(0));
    }

    Outputs onnx(Prepared p) {
        HostTensor images = HostTensor.ofFloats(new long[] {1, 3, p.paddedHeight(), p.paddedWidth()}, p.raw());
        long t0 = System.nanoTime();
        Map<String, HostTensor> out = session.run(Map.of("images", images));
        long t = System.nanoTime() - t0;
        HeadMaps raw = dense ? HeadMaps.fromNamed(out, spec.numLevels()) : null;
        return new Outputs(raw, detections(out.get("dets"), out.get("labels"), p.key()), t,
                masks(out.get("masks"), out.get("dets"), out.get("labels")));
    }

    /** The kept rows' masks {@code [D, S, S]} of {@code masks [1, K, S, S]}, in {@link #detections}' order; null without. */
    private static float[] masks(HostTensor masks, HostTensor dets, HostTensor labels) {
        if (masks == null) {
            return null;
        }
        float[] m = masks.toFloats();
        float[] d = dets.toFloats();
        long[] l = labels.toLongs();
        int per = m.length / Math.max(1, l.length);
        float[] out = new float[m.length];
        int n = 0;
        for (int k = 0; k < l.length; k++) {
            if (l[k] >= 0 && d[5 * k + 4] > 0f) {
                System.arraycopy(m, k * per, out, n * per, per);
                n++;
            }
        }
        return Arrays.copyOf(out, n * per);
    }

    /** {@code dets [1, K, 5]} and {@code labels [1, K]}; rows with label -1 or score 0 are empty. */
    private Detections detections(HostTensor dets, HostTensor labels, String key) {
        if (dets == null || labels == null) {
            throw new ExportException(session.name() + ": the model has no 'dets' and 'labels' outputs");
        }
        float[] d = dets.toFloats();
        long[] l = labels.toLongs();
        float[] boxes = new float[4 * l.length];
        float[] scores = new float[l.length];
        int[] labs = new int[l.length];
        int n = 0;
        for (int k = 0; k < l.length; k++) {
            if (l[k] >= 0 && d[5 * k + 4] > 0f) {
                System.arraycopy(d, 5 * k, boxes, 4 * n, 4);
                scores[n] = d[5 * k + 4];
                labs[n++] = (int) l[k];
            }
        }
        return new Detections(key, Detections.NO_ID, Arrays.copyOf(boxes, 4 * n), Arrays.copyOf(scores, n), Arrays.copyOf(labs, n));
    }

    @Override
    public void close() {
        try {
            graph.close();
        } finally {
            session.close();
        }
    }
}
