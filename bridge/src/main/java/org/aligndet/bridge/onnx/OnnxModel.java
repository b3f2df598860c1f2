package org.aligndet.bridge.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.aligndet.bridge.io.AtomicFiles;
import org.aligndet.bridge.io.FileBytes;
import org.aligndet.bridge.onnx.proto.OnnxProto.GraphProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.GraphProtoOrBuilder;
import org.aligndet.bridge.onnx.proto.OnnxProto.ModelProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.StringStringEntryProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorProto;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * An ONNX model held in memory for inspection and editing: initializers (including those in
 * subgraphs), metadata, and the declared graph inputs and outputs.
 *
 * <p>Fields this project's schema does not know survive unchanged from {@link #load} to
 * {@link #save}. Not thread-safe. Every error is an {@link OnnxFormatException} whose message
 * starts with {@link #source()}.
 */
public final class OnnxModel {
    private final String source;
    private final ModelProto.Builder model;

    private OnnxModel(String source, ModelProto.Builder model) {
        this.source = source;
        this.model = model;
    }

    /**
     * Reads and checks an ONNX file, including that every tensor's external data lies in the
     * file's own folder ({@link ExternalData}).
     *
     * @throws OnnxFormatException naming the file when it is missing, a directory, unreadable, not
     *                             a protobuf, a protobuf without the {@code ir_version} and
     *                             {@code graph} every ONNX model has, or names external data
     *                             outside its folder (the tensor and the location named)
     */
    public static OnnxModel load(Path file) {
        String src = file.toString();
        byte[] bytes;
        try {
            bytes = FileBytes.readAll(file);
        } catch (NoSuchFileException e) {
            throw new OnnxFormatException(src, "no such ONNX file", e);
        } catch (IOException | OutOfMemoryError e) {
            throw new OnnxFormatException(src, Files.isDirectory(file) ? "is a directory, not an ONNX file"
                    : "cannot read ONNX file: " + e, e);
        }
        OnnxModel model = fromBytes(bytes, src);
        Path dir = file.toAbsolutePath().getParent();
        ExternalData.requireInside(model.scopes(), dir, src);
        return model;
    }

    /** Parses a serialised model; {@code source} names it in error messages. */
    public static OnnxModel fromBytes(byte[] bytes, String source) {
        ModelProto m;
        try {
            m = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(source, "not an ONNX model (" + sniff(bytes) + "protobuf parse failed: "
                    + e.getMessage() + ")", e);
        }
        if (!m.hasIrVersion() || !m.hasGraph() || m.getIrVersion() <= 0) {
            throw new OnnxFormatException(source, "not an ONNX model (" + sniff(bytes) + "no ir_version or graph, "
                    + bytes.length + " bytes)");
        }
        return new OnnxModel(source, m.toBuilder());
    }

    /** Wraps an already built model (e.g. from a test or a converter). */
    public static OnnxModel of(ModelProto model, String source) {
        return new OnnxModel(source, model.toBuilder());
    }

    private static String sniff(byte[] b) {
        if (b.length == 0) {
            return "empty file; ";
        }
        if (b.length >= 2 && b[0] == 'P' && b[1] == 'K') {
            return "a zip archive, perhaps TorchScript or a torch checkpoint; ";
        }
        return "";
    }

    /** The file path or source name used in messages. */
    public String source() {
        return source;
    }

    /** A snapshot of the whole model as a protobuf message. */
    public ModelProto proto() {
        return model.build();
    }

    /**
     * Edits the main graph in place (nodes, initializers, outputs): for graph surgery the typed
     * methods of this class do not cover. The caller keeps the graph valid.
     */
    public void editGraph(Consumer<GraphProto.Builder> edit) {
        edit.accept(model.getGraphBuilder());
    }

    /** The serialised model, e.g. for {@link OrtSessions#open(byte[], String, int)}. */
    public byte[] toBytes() {
        return model.build().toByteArray();
    }

    /**
     * Writes the model to {@code file} atomically: into a temporary file in the same directory,
     * then renamed over the target, so readers never see a partial file.
     */
    public void save(Path file) throws IOException {
        AtomicFiles.write(file, out -> model.build().writeTo(out));
    }

    public long irVersion() {
        return model.getIrVersion();
    }

    public String producerName() {
        return model.getProducerName();
    }

    /** Sets {@code producer_name} and {@code producer_version}. */
    public void setProducer(String name, String version) {
        model.setProducerName(name).setProducerVersion(version);
    }

    /** Opset versions by domain ({@code ""} is the default ai.onnx domain). */
    public Map<String, Long> opsets() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            out.put(o.getDomain(), o.getVersion());
        }
        return out;
    }

    // ---- initializers ----------------------------------------------------------------------

    /** Every initializer: the main graph's first, then each subgraph's (see {@link InitializerInfo#graph()}). */
    public List<InitializerInfo> initializers() {
        List<InitializerInfo> out = new ArrayList<>();
        for (GraphWalk.Scope s : scopes()) {
            for (TensorProto t : s.graph().getInitializerList()) {
                out.add(new InitializerInfo(t.getName(), t.getDataType(), TensorProtos.dims(t), s.path()));
            }
        }
        return out;
    }

    /** Whether any graph has an initializer of this name. */
    public boolean hasInitializer(String name) {
        return initializers().stream().anyMatch(i -> i.name().equals(name));
    }

    /**
     * The values of the first initializer named {@code name} (main graph first).
     *
     * @throws OnnxFormatException when there is none, or its data cannot be decoded
     */
    public HostTensor initializer(String name) {
        for (GraphWalk.Scope s : scopes()) {
            for (TensorProto t : s.graph().getInitializerList()) {
                if (t.getName().equals(name)) {
                    return TensorProtos.toHost(t, source);
                }
            }
        }
        throw new OnnxFormatException(source, "no initializer named '" + name + "'");
    }

    /**
     * Overwrites every initializer named {@code name} (in any graph) with {@code value}, stored as
     * {@code raw_data}.
     *
     * @throws OnnxFormatException when there is no such initializer, or its dtype or shape differs
     *                             from {@code value}'s (the message gives both); nothing is changed then
     */
    public void replaceInitializer(String name, HostTensor value) {
        List<TensorProto.Builder> targets = new ArrayList<>();
        for (GraphWalk.Scope s : scopes()) {
            for (int i = 0; i < s.graph().getInitializerCount(); i++) {
                if (s.graph().getInitializer(i).getName().equals(name)) {
                    targets.add(s.graph().getInitializerBuilder(i));
                }
            }
        }
        if (targets.isEmpty()) {
            throw new OnnxFormatException(source, "no initializer named '" + name + "' to replace");
        }
        for (TensorProto.Builder t : targets) {
            String problem = mismatch(t, value);
            if (problem != null) {
                throw new OnnxFormatException(source, "cannot replace initializer '" + name + "': " + problem);
            }
        }
        for (TensorProto.Builder t : targets) {
            TensorProtos.write(t, value);
        }
    }

    /** Null when {@code value} fits the initializer, else "model float32[4, 3], given float32[4]". */
    private static String mismatch(org.aligndet.bridge.onnx.proto.OnnxProto.TensorProtoOrBuilder t, HostTensor value) {
        long[] dims = new long[t.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
        }
        if (t.getDataType() == value.dtype().onnxCode() && Arrays.equals(dims, value.shape())) {
            return null;
        }
        return "model " + TensorProtos.typeName(t.getDataType()) + Arrays.toString(dims) + ", given "
                + value.dtype().shortName() + Arrays.toString(value.shape());
    }

    /**
     * Overwrites each initializer whose name is a key of {@code values} and whose dtype and shape
     * match; reports the rest. Never throws for missing, unused or mismatched entries.
     */
    public FillReport fillInitializers(Map<String, HostTensor> values) {
        Set<String> filled = new LinkedHashSet<>();
        Set<String> missing = new LinkedHashSet<>();
        Map<String, String> mismatched = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (GraphWalk.Scope s : scopes()) {
            for (int i = 0; i < s.graph().getInitializerCount(); i++) {
                String name = s.graph().getInitializer(i).getName();
                seen.add(name);
                HostTensor v = values.get(name);
                if (v == null) {
                    missing.add(name);
                    continue;
                }
                String problem = mismatch(s.graph().getInitializer(i), v);
                if (problem != null) {
                    mismatched.put(name, problem);
                    continue;
                }
                TensorProtos.write(s.graph().getInitializerBuilder(i), v);
                filled.add(name);
            }
        }
        List<String> unused = values.keySet().stream().filter(k -> !seen.contains(k)).sorted()
                .collect(Collectors.toList());
        return new FillReport(new ArrayList<>(filled), new ArrayList<>(missing), unused, mismatched);
    }

    private List<GraphWalk.Scope> scopes() {
        return model.hasGraph() ? GraphWalk.scopes(model.getGraphBuilder()) : List.of();
    }

    // ---- metadata --------------------------------------------------------------------------

    /** {@code metadata_props} in file order; for a repeated key the last value wins. */
    public Map<String, String> metadata() {
        Map<String, String> out = new LinkedHashMap<>();
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * Sets metadata entries: a key already present gets the new value in place (duplicates of it
     * are dropped), new keys are appended in the map's order.
     */
    public void putMetadata(Map<String, String> entries) {
        Map<String, String> merged = metadata();
        merged.putAll(entries);
        model.clearMetadataProps();
        merged.forEach((k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    }

    // ---- graph inputs and outputs ------------------------------------------------------------

    /**
     * The main graph's inputs, leaving out those that are also initializers (older exporters list
     * every weight as an input too).
     */
    public List<ValueSpec> inputs() {
        GraphProtoOrBuilder g = model.getGraphOrBuilder();
        Set<String> inits = g.getInitializerList().stream().map(TensorProto::getName).collect(Collectors.toSet());
        return g.getInputList().stream().filter(v -> !inits.contains(v.getName())).map(ValueSpec::from)
                .collect(Collectors.toList());
    }

    /** The main graph's outputs. */
    public List<ValueSpec> outputs() {
        return model.getGraphOrBuilder().getOutputList().stream().map(ValueSpec::from).collect(Collectors.toList());
    }

    /**
     * Checks that each expected input is declared compatibly (see {@link ValueSpec#acceptsDeclared}).
     *
     * @throws OnnxFormatException e.g. {@code model.onnx: expected input 'images' float32 [N,3,H,W],
     *                             found inputs: x float32 [1,3,224,224]}
     */
    public void requireInputs(ValueSpec... expected) {
        require("input", inputs(), expected);
    }

    /** As {@link #requireInputs}, for the graph outputs. */
    public void requireOutputs(ValueSpec... expected) {
        require("output", outputs(), expected);
    }

    private void require(String kind, List<ValueSpec> declared, ValueSpec... expected) {
        for (ValueSpec want : expected) {
            if (declared.stream().noneMatch(want::acceptsDeclared)) {
                String found = declared.isEmpty() ? "none"
                        : declared.stream().map(ValueSpec::toString).collect(Collectors.joining(", "));
                throw new OnnxFormatException(source, "expected " + kind + " '" + want.name() + "' "
                        + want.typeAndShape() + ", found " + kind + "s: " + found);
            }
        }
    }
}
