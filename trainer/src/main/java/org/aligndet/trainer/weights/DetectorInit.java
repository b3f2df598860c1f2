package org.aligndet.trainer.weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.LoadReport;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.detect.ClassifierBias;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * Puts the starting weights into a detector graph (before pre-training: the backbone; before
 * fine-tuning: a pre-trained detector or a backbone) and says what came from where.
 *
 * <ul>
 *   <li>{@link #fromPretrained}: every graph parameter from the checkpoint's {@code state_dict}
 *       (backbone, neck, head) except the final classification layer, which starts fresh: weight
 *       {@code N(0, 0.01)} (seeded), bias the focal prior ({@link ClassifierBias}). The projector
 *       (root key {@code projector}, or {@code projector.*} names) is skipped. A checkpoint that is
 *       itself a fine-tuning result ({@code meta.stage = 'finetune'}) or an imported detector
 *       ({@code 'import'}) with a classifier of the right shape keeps its classifier.</li>
 *   <li>{@link #fromBackbone}: the backbone only; the neck and head keep the graph's own
 *       mmdetection-style initialisation, whose classifier bias is already the prior.</li>
 * </ul>
 * Both read the file as {@code aligndet import} does ({@link WeightImporter#map}, format detected from
 * the key names): mmdetection, torchvision, AlignDet and MoCo names map onto the graph's.
 * <ul>
 *   <li>{@link #graphOnly}: nothing loaded.</li>
 * </ul>
 * Shape mismatches in loaded parts are errors naming the checkpoint and the parameters.
 */
public final class DetectorInit {
    /** Standard deviation of the re-initialised classifier weight (mmdetection's {@code normal_init(std=0.01)}). */
    public static final double CLASSIFIER_STD = 0.01;
    static final String FRESH_CLASSIFIER = "re-initialised: weight N(0, 0.01), bias = focal prior";
    static final String GRAPH_INIT = "graph initialisation";

    private DetectorInit() {
    }

    /** The classifier's parameter names: {@code [weight, bias]}. */
    public static List<String> classifierNames(ModelSpec spec) {
        DetectorFamily f = DetectorFamily.of(spec);
        return List.of(f.classifierWeight(), f.classifierBias());
    }

    public static InitReport fromPretrained(TorchGraph graph, ModelSpec spec, Path file, long seed) throws IOException {
        return fromPretrained(graph, spec, file, seed, false);
    }

    /**
     * @param freshRegression also restart the final regression layers (RetinaNet {@code retina_reg}; FCOS
     *                        {@code conv_reg}, {@code conv_centerness}) from the graph's initialisation, as
     *                        AlignDet's weight extraction does unless told {@code --keep-heads}
     */
    @SuppressWarnings("unchecked")
    public static InitReport fromPretrained(TorchGraph graph, ModelSpec spec, Path file, long seed, boolean freshRegression)
            throws IOException {
        WeightImporter.Mapped mapped = WeightImporter.map(file, WeightFormat.AUTO, false);
        Object root = mapped.root();
        Map<String, HostTensor> state = mapped.tensors();
        Map<String, Object> meta = mapped.meta();
        Map<String, String> skipped = skippedBySource(mapped);
        if (root instanceof Map<?, ?> r && r.get("projector") instanceof Map<?, ?> proj) {
            proj.keySet().forEach(k -> skipped.put("projector." + k, "projector (pre-training only)"));
        }
        List<String> classifier = classifierNames(spec);
        boolean keepClassifier = ("finetune".equals(meta.get("stage")) || "import".equals(meta.get("stage")))
                && shapesMatch(graph, state, classifier);
        Map<String, HostTensor> use = new LinkedHashMap<>();
        for (var e : state.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("projector.")) {
                skipped.put(k, "projector (pre-training only)");
            } else if (!graph.parameters().containsKey(k)) {
                skipped.put(k, k.endsWith("num_batches_tracked") ? "batch counter" : "not in the " + spec.name() + " graph");
            } else if (classifier.contains(k) && !keepClassifier) {
                skipped.put(k, "final classifier (starts fresh)");
            } else if (freshRegression && isFinalRegression(spec, k)) {
                skipped.put(k, "final regression layer (starts fresh: --fresh-regression)");
            } else {
                use.put(k, e.getValue());
            }
        }
        LoadReport r = graph.load(use);
        if (!r.mismatched().isEmpty()) {
            throw new IllegalArgumentException(file + ": does not fit " + spec.name() + ": shape mismatches " + head(r.mismatched()));
        }
        Map<String, String> fresh = new LinkedHashMap<>();
        for (String k : r.missing()) {
            fresh.put(k, classifier.contains(k) ? FRESH_CLASSIFIER : GRAPH_INIT + " (absent from the checkpoint)");
        }
        if (!keepClassifier) {
            resetClassifier(graph, spec, seed);
        }
        return new InitReport("pretrained", file.toString(), r.loaded(), fresh, skipped);
    }

    public static InitReport fromBackbone(TorchGraph graph, ModelSpec spec, Path file) throws IOException {
        WeightImporter.Mapped mapped = WeightImporter.map(file, WeightFormat.AUTO, false);
        Map<String, String> skipped = skippedBySource(mapped);
        Map<String, HostTensor> bb = new LinkedHashMap<>();
        mapped.tensors().forEach((k, v) -> {
            if (!k.startsWith("backbone.")) {
                skipped.put(k, "not backbone (baseline fine-tuning loads the backbone only)");
            } else if (!graph.parameters().containsKey(k)) {
                skipped.put(k, "not in the " + spec.name() + " graph");
            } else {
                bb.put(k, v);
            }
        });
        LoadReport r = graph.load(bb);
        List<String> missing = r.missing().stream().filter(n -> n.startsWith("backbone.")).toList();
        if (!missing.isEmpty() || !r.mismatched().isEmpty()) {
            throw new IllegalArgumentException(file + ": does not fit " + spec.name() + "'s backbone: missing "
                    + head(missing) + ", shape mismatches " + head(r.mismatched()));
        }
        Map<String, String> fresh = new LinkedHashMap<>();
        r.missing().forEach(k -> fresh.put(k, GRAPH_INIT));
        return new InitReport("backbone", file.toString(), r.loaded(), fresh, skipped);
    }

    /** What the import left out, by source name: dropped and unmapped names, and placeholders. */
    private static Map<String, String> skippedBySource(WeightImporter.Mapped mapped) {
        Map<String, String> skipped = new LinkedHashMap<>(mapped.dropped());
        skipped.putAll(mapped.unexpected());
        mapped.placeholders().forEach((path, global) -> skipped.put(path, "inert placeholder for " + global));
        return skipped;
    }

    public static InitReport graphOnly(TorchGraph graph) {
        Map<String, String> fresh = new LinkedHashMap<>();
        graph.parameters().keySet().forEach(k -> fresh.put(k, GRAPH_INIT));
        return new InitReport("graph", "", List.of(), fresh, Map.of());
    }

    /** Classifier weight {@code N(0, 0.01)} from a generator seeded by {@code seed}; bias the focal prior. */
    static void resetClassifier(TorchGraph graph, ModelSpec spec, long seed) {
        List<String> names = classifierNames(spec);
        var w = graph.parameters().get(names.get(0));
        var b = graph.parameters().get(names.get(1));
        long[] ws = w.getShape().getShape();
        float[] wv = new float[(int) HostTensor.numel(ws)];
        Random rng = new Random(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < wv.length; i++) {
            wv[i] = (float) (rng.nextGaussian() * CLASSIFIER_STD);
        }
        long[] bs = b.getShape().getShape();
        float[] bv = new float[(int) HostTensor.numel(bs)];
        Arrays.fill(bv, (float) DetectorFamily.of(spec).freshClassifierBias());
        NdTensors.copyInto(w, HostTensor.ofFloats(ws, wv));
        NdTensors.copyInto(b, HostTensor.ofFloats(bs, bv));
    }

    private static boolean isFinalRegression(ModelSpec spec, String name) {
        return DetectorFamily.of(spec).finalRegressionLayers().stream().anyMatch(name::startsWith);
    }

    private static boolean shapesMatch(TorchGraph graph, Map<String, HostTensor> state, List<String> names) {
        for (String n : names) {
            HostTensor t = state.get(n);
            if (t == null || !Arrays.equals(t.shape(), graph.parameters().get(n).getShape().getShape())) {
                return false;
            }
        }
        return true;
    }

    public static String head(List<String> names) {
        return names.size() <= 8 ? names.toString() : new ArrayList<>(names.subList(0, 8)) + " and " + (names.size() - 8) + " more";
    }
}
