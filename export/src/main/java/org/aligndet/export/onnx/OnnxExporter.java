package org.aligndet.export.onnx;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aligndet.bridge.onnx.FillReport;
import org.aligndet.bridge.onnx.InitializerInfo;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.LoadReport;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.export.eval.AtomicFiles;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;

/**
 * Checkpoint + spec → deployable model: the spec's ONNX inference template with the trained weights
 * filled into its initializers by name (through protobuf, nothing re-traced) and
 * {@link ExportMetadata} in {@code metadata_props}; optionally the spec's TorchScript graph with the
 * same weights.
 *
 * <p>Contract: the template's initializers that are graph parameters (those the spec's manifest
 * lists; every initializer when there is no manifest) are each filled exactly once with a tensor
 * of the same shape; a missing, mis-shaped or unexpected checkpoint tensor fails the export with
 * every offending name listed (see {@link WeightCheck} for the extras that are tolerated). Nothing is
 * written on failure. Outputs are written atomically.
 */
public final class OnnxExporter {
    private final ModelSpec spec;
    private final Path template;
    private final Path graph;
    private final Set<String> parameterNames;

    /**
     * @param template       the spec's ONNX inference template
     * @param graph          the spec's TorchScript graph, or null when TorchScript export is not needed
     * @param parameterNames the graph parameters among the template's initializers, or null for all
     */
    public OnnxExporter(ModelSpec spec, Path template, Path graph, Set<String> parameterNames) {
        this.spec = spec;
        this.template = template;
        this.graph = graph;
        this.parameterNames = parameterNames == null ? null : Set.copyOf(parameterNames);
    }

    /** The exporter for a spec of the model-specs directory (template, graph and manifest from there). */
    public static OnnxExporter forSpec(ModelSpecs specs, String name) {
        ModelSpec spec = specs.load(name);
        return new OnnxExporter(spec, specs.onnxTemplate(name), specs.graph(name), manifestParameters(specs.manifest(name)));
    }

    /** The parameter names a generator manifest lists ({@code parameters[].name}). */
    public static Set<String> manifestParameters(Path manifest) {
        try {
            JsonNode root = new ObjectMapper().readTree(manifest.toFile());
            Set<String> names = new LinkedHashSet<>();
            root.path("parameters").forEach(p -> names.add(p.path("name").asText()));
            if (names.isEmpty()) {
                throw new ExportException(manifest + ": lists no parameters");
            }
            return names;
        } catch (IOException e) {
            throw new ExportException(manifest + ": cannot read the graph manifest: " + e.getMessage(), e);
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    /**
     * Fills the template and writes the metadata; the result is in memory (save it with
     * {@link OnnxModel#save}, or open a session on {@link OnnxModel#toBytes()}).
     *
     * @param classes class names, label order; null takes the checkpoint meta's
     * @throws ExportException when the weights do not fit (all names listed), or the classes are
     *                         missing or not {@code num_classes} of the spec
     */
    public OnnxModel export(TrainedCheckpoint checkpoint, List<String> classes) {
        ExportMetadata meta = metadata(checkpoint, classes);
        OnnxModel model = OnnxModel.load(template);
        if (spec.graphsFrom() != null && DetectorFamily.of(spec) instanceof DenseFamily d) {
            // the spec runs with another spec's graphs: its classifier was sized at run time, so is the template's
            ClassifierResize.apply(model, d.classifierWeight(), d.classifierBias(), d.priorsPerLocation(), spec.numClasses());
        }
        Map<String, WeightCheck.Param> params = new LinkedHashMap<>();
        for (InitializerInfo i : model.initializers()) {
            if ((parameterNames == null || parameterNames.contains(i.name())) && i.dtype() != null) {
                params.putIfAbsent(i.name(), new WeightCheck.Param(i.dtype(), i.shape()));
            }
        }
        if (parameterNames != null && !params.keySet().containsAll(parameterNames)) {
            Set<String> absent = new LinkedHashSet<>(parameterNames);
            absent.removeAll(params.keySet());
            throw new ExportException(template + ": template lacks initializers for graph parameters " + absent
                    + " (regenerate the graphs for spec " + spec.name() + ")");
        }
        Map<String, HostTensor> weights = WeightCheck.select(checkpoint.stateDict(), params, checkpoint.file().toString());
        FillReport fill = model.fillInitializers(weights);
        if (!fill.unused().isEmpty() || !fill.mismatched().isEmpty() || fill.filled().size() != params.size()) {
            throw new ExportException(template + ": filling failed: " + fill.describe()); // guarded by select(); kept as an invariant
        }
        model.putMetadata(meta.toProps());
        model.setProducer("aligndet", "0.1.0");
        return model;
    }

    /** The metadata an export of this checkpoint carries (see {@link #export}). */
    public ExportMetadata metadata(TrainedCheckpoint checkpoint, List<String> classes) {
        List<String> names = classes != null ? classes : checkpoint.classes();
        if (names == null) {
            throw new ExportException(checkpoint.file() + ": the checkpoint's meta has no class names; give them with --classes");
        }
        if (names.size() != spec.numClasses()) {
            throw new ExportException(checkpoint.file() + ": " + names.size() + " class names " + names + " for spec "
                    + spec.name() + ", which has num_classes " + spec.numClasses());
        }
        int[] scale = spec.imgScale();
        var pre = new ExportMetadata.Preprocessing(spec.mean(), spec.std(), scale[0], scale[1], spec.padDivisor());
        var t = spec.testSection();
        var post = new ExportMetadata.Postprocessing(t.path("nms_pre").asInt(), t.path("score_thr").asDouble(),
                t.path("nms_iou").asDouble(), t.path("max_per_img").asInt());
        return new ExportMetadata(spec.name(), names, pre, String.valueOf(checkpoint.file().getFileName()),
                checkpoint.sha256(), ExportMetadata.Provenance.of(checkpoint), post);
    }

    /** {@link #export} then an atomic save to {@code out}. */
    public OnnxModel exportTo(TrainedCheckpoint checkpoint, List<String> classes, Path out) {
        OnnxModel model = export(checkpoint, classes);
        try {
            AtomicFiles.write(out, model.proto()::writeTo); // keeps the default file mode, unlike a temp file
        } catch (UncheckedIOException e) {
            throw new ExportException(out + ": cannot write: " + e.getMessage(), e);
        }
        return model;
    }

    /**
     * Loads the spec's TorchScript graph, loads the checkpoint's weights into it by name (same
     * rules as the ONNX export), and saves it to {@code out} atomically.
     */
    public void exportTorchScript(TrainedCheckpoint checkpoint, Path out) {
        if (graph == null || !Files.isRegularFile(graph)) {
            throw new ExportException("no TorchScript graph for spec " + spec.name() + (graph == null ? "" : " at " + graph));
        }
        if (spec.graphsFrom() != null) {
            throw new ExportException("spec " + spec.name() + " runs with the graphs of " + spec.graphsFrom()
                    + " and a classifier sized at run time, which a TorchScript file cannot hold: generate graphs for the spec"
                    + " (model-specs/generator/generate.py --spec FILE) to export TorchScript; ONNX and the .pth layouts work as they are");
        }
        try (TorchGraph g = TorchGraph.load(graph, Device.cpu())) {
            Map<String, WeightCheck.Param> params = new LinkedHashMap<>();
            g.stateDict().forEach((k, v) -> params.put(k, new WeightCheck.Param(v.dtype(), v.shape())));
            Map<String, HostTensor> weights = WeightCheck.select(checkpoint.stateDict(), params, checkpoint.file().toString());
            LoadReport r = g.load(weights);
            if (!r.complete()) {
                throw new ExportException(graph + ": loading weights failed: " + r + " " + r.mismatched());
            }
            Path tmp = Files.createTempFile("aligndet-export", ".ts");
            try {
                g.save(tmp);
                AtomicFiles.write(out, os -> Files.copy(tmp, os));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ExportException(out + ": cannot write: " + e.getMessage(), e);
        }
    }
}
