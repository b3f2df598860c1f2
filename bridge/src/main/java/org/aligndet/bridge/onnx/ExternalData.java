package org.aligndet.bridge.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.bridge.io.RelativeName;
import org.aligndet.bridge.onnx.proto.OnnxProto.AttributeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.NodeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.SparseTensorProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.StringStringEntryProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorProto;

/**
 * The one check of ONNX external data: a tensor may keep its bytes in a side file
 * ({@code external_data} key {@code location}), which ONNX Runtime opens relative to the model's
 * folder. A hostile model could name any file on the machine instead, so every location must be
 * relative, hold no {@code ..} segment, and (where the file exists) still lie inside the model's
 * folder once symbolic links are followed. Tensors checked: initializers, sparse initializers and
 * tensor attributes of nodes, in the main graph and every subgraph.
 */
final class ExternalData {
    private ExternalData() {
    }

    /**
     * @param scopes   the model's graphs ({@link GraphWalk#scopes})
     * @param modelDir the folder of the model file, or null for a model not read from a file (then
     *                 any external data is refused: there is no folder to keep it in)
     * @param source   names the model in the error
     * @throws OnnxFormatException naming the first offending tensor and its location
     */
    static void requireInside(List<GraphWalk.Scope> scopes, Path modelDir, String source) {
        for (GraphWalk.Scope s : scopes) {
            for (TensorProto t : tensors(s)) {
                String problem = problem(t, modelDir);
                if (problem != null) {
                    throw new OnnxFormatException(source, "tensor '" + t.getName() + "' " + problem
                            + "; external data must lie in the model's own folder");
                }
            }
        }
    }

    private static List<TensorProto> tensors(GraphWalk.Scope s) {
        List<TensorProto> out = new ArrayList<>(s.graph().getInitializerList());
        s.graph().getSparseInitializerList().forEach(sp -> addSparse(sp, out));
        for (NodeProto n : s.graph().getNodeList()) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasT()) {
                    out.add(a.getT());
                }
                out.addAll(a.getTensorsList());
                if (a.hasSparseTensor()) {
                    addSparse(a.getSparseTensor(), out);
                }
                a.getSparseTensorsList().forEach(sp -> addSparse(sp, out));
            }
        }
        return out;
    }

    private static void addSparse(SparseTensorProto sp, List<TensorProto> out) {
        if (sp.hasValues()) {
            out.add(sp.getValues());
        }
        if (sp.hasIndices()) {
            out.add(sp.getIndices());
        }
    }

    /** Why the tensor's external data may not be read, or null (also for a tensor without external data). */
    static String problem(TensorProto t, Path modelDir) {
        if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL && t.getExternalDataCount() == 0) {
            return null;
        }
        String location = null;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            if (e.getKey().equals("location")) {
                location = e.getValue();
            }
        }
        if (location == null || location.isEmpty()) {
            return "keeps its data externally without a location";
        }
        String where = "keeps its data in '" + location + "'";
        if (modelDir == null) {
            return where + ", but the model was not read from a file";
        }
        String unsafe = RelativeName.problem(location);
        if (unsafe != null) {
            return where + ", which " + unsafe;
        }
        return outsideAfterLinks(modelDir, location, where);
    }

    private static String outsideAfterLinks(Path modelDir, String location, String where) {
        try {
            Path file = modelDir.resolve(location);
            if (!Files.exists(file)) {
                return null; // nothing to read; ONNX Runtime reports the missing file
            }
            Path real = file.toRealPath();
            if (!real.startsWith(modelDir.toRealPath())) {
                return where + ", a link to " + real + " outside the model's folder";
            }
            return null;
        } catch (InvalidPathException | IOException e) {
            return where + ", which cannot be resolved: " + e.getMessage();
        }
    }
}
