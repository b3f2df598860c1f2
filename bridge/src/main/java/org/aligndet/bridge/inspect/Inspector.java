package org.aligndet.bridge.inspect;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.CheckpointFormatException;
import org.aligndet.bridge.checkpoint.PickleTuple;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.onnx.InitializerInfo;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.ValueSpec;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.TorchGraph;

/** Lists the tensors of a checkpoint, TorchScript graph or ONNX model without executing anything from it. */
public final class Inspector {
    private Inspector() {
    }

    public static Inspection inspect(Path file) throws IOException {
        FileKind kind = FileKind.detect(file);
        switch (kind) {
            case CHECKPOINT: return checkpoint(file);
            case TORCHSCRIPT: return torchscript(file);
            case ONNX: return onnx(file);
            case LEGACY_CHECKPOINT:
            default:
                throw new CheckpointFormatException(file + ": legacy (pre-1.6) torch.save format is not supported;"
                        + " re-save it with torch>=1.6: torch.save(torch.load(f), f2)");
        }
    }

    private static Inspection checkpoint(Path file) throws IOException {
        Object root = TorchCheckpoint.read(file);
        List<Inspection.Entry> tensors = new ArrayList<>();
        List<String> values = new ArrayList<>();
        walk("", root, tensors, values);
        Map<String, List<String>> facts = new LinkedHashMap<>();
        if (!values.isEmpty()) {
            facts.put("values", values);
        }
        return new Inspection(file.toString(), FileKind.CHECKPOINT, tensors, facts);
    }

    private static void walk(String path, Object v, List<Inspection.Entry> tensors, List<String> values) {
        if (v instanceof HostTensor) {
            HostTensor t = (HostTensor) v;
            tensors.add(new Inspection.Entry(path, t.dtype().shortName(), t.shape()));
        } else if (v instanceof Map) {
            for (var e : ((Map<?, ?>) v).entrySet()) {
                walk(join(path, String.valueOf(e.getKey())), e.getValue(), tensors, values);
            }
        } else if (v instanceof PickleTuple) {
            walkList(path, ((PickleTuple) v).items(), tensors, values);
        } else if (v instanceof List) {
            walkList(path, (List<?>) v, tensors, values);
        } else if (v instanceof Collection) {
            walkList(path, new ArrayList<>((Collection<?>) v), tensors, values);
        } else {
            String s = v instanceof byte[] ? "<" + ((byte[]) v).length + " bytes>" : String.valueOf(v);
            values.add(path + " = " + (s.length() > 120 ? s.substring(0, 117) + "..." : s));
        }
    }

    private static void walkList(String path, List<?> items, List<Inspection.Entry> tensors, List<String> values) {
        boolean allPlain = items.stream().noneMatch(x -> x instanceof HostTensor || x instanceof Map || x instanceof List
                || x instanceof PickleTuple);
        if (allPlain) {
            values.add(path + " = " + items);
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            walk(join(path, Integer.toString(i)), items.get(i), tensors, values);
        }
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "." + b;
    }

    private static Inspection torchscript(Path file) {
        try (TorchGraph g = TorchGraph.load(file, Device.cpu())) {
            List<Inspection.Entry> tensors = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : g.parameters().entrySet()) {
                NDArray a = e.getValue();
                tensors.add(new Inspection.Entry(e.getKey(), NdTensors.fromDjl(a.getDataType()).shortName(),
                        a.getShape().getShape()));
            }
            Map<String, List<String>> facts = new LinkedHashMap<>();
            facts.put("methods", new ArrayList<>(g.methods()));
            return new Inspection(file.toString(), FileKind.TORCHSCRIPT, tensors, facts);
        }
    }

    private static Inspection onnx(Path file) {
        OnnxModel m = OnnxModel.load(file);
        List<Inspection.Entry> tensors = new ArrayList<>();
        for (InitializerInfo i : m.initializers()) {
            String name = i.inSubgraph() ? i.graph() + "/" + i.name() : i.name();
            tensors.add(new Inspection.Entry(name, i.dtype() == null ? "type" + i.dataType() : i.dtype().shortName(), i.shape()));
        }
        Map<String, List<String>> facts = new LinkedHashMap<>();
        facts.put("inputs", m.inputs().stream().map(ValueSpec::toString).toList());
        facts.put("outputs", m.outputs().stream().map(ValueSpec::toString).toList());
        List<String> opsets = new ArrayList<>();
        m.opsets().forEach((d, v) -> opsets.add((d.isEmpty() ? "ai.onnx" : d) + " " + v));
        facts.put("opsets", opsets);
        List<String> meta = new ArrayList<>();
        m.metadata().forEach((k, v) -> meta.add(k + " = " + v));
        if (!meta.isEmpty()) {
            facts.put("metadata", meta);
        }
        return new Inspection(file.toString(), FileKind.ONNX, tensors, facts);
    }
}
