package org.aligndet.export.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.bridge.onnx.TensorProtos;
import org.aligndet.bridge.onnx.proto.OnnxProto.AttributeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.GraphProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.NodeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.TensorShapeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.ValueInfoProto;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * Resizes a dense inference template's classifier for another number of classes: the ONNX side of
 * the classifier sized at run time ({@code trainer.model.ClassifierSizing}). In the templates the
 * generator traces, the number of classes K lives in exactly two places: the final classification
 * conv's weight and bias (A·K outputs, A priors per location) and, for each level, the last entry
 * of the shape the conv's output is reshaped to after its transpose ({@code [N, H·W·A, K]}: a
 * constant K unsqueezed and concatenated with the dynamic entries, or a constant shape). Everything
 * downstream (sigmoid, pre-NMS top-k, multi-class NMS, the label of each detection) takes K from
 * the tensors' shapes at run time. This class rewrites those two places (the weights as zeros of
 * the new shape, for the export to fill), and the declared channel count of the raw outputs; it
 * fails, naming what it found, when a level's logits do not go through that pattern.
 */
public final class ClassifierResize {
    private ClassifierResize() {
    }

    /**
     * @param weight the classifier conv's weight initializer ({@code [A·K0, C, kh, kw]})
     * @param bias   its bias ({@code [A·K0]})
     * @param priors A, priors (anchors or points) per location
     * @return K0, the template's number of classes
     */
    public static int apply(OnnxModel model, String weight, String bias, int priors, int classes) {
        int[] old = new int[1];
        model.editGraph(g -> old[0] = edit(model.source(), g, weight, bias, priors, classes));
        return old[0];
    }

    private static int edit(String source, GraphProto.Builder g, String weight, String bias, int priors, int classes) {
        TensorProto.Builder w = initializer(source, g, weight);
        TensorProto.Builder b = initializer(source, g, bias);
        long[] wd = TensorProtos.dims(w.build());
        if (wd.length != 4 || wd[0] % priors != 0) {
            throw new ExportException(source + ": classifier " + weight + " " + Arrays.toString(wd) + " is not a conv with "
                    + priors + " priors per location");
        }
        long k0 = wd[0] / priors;
        long out = (long) priors * classes;
        if (k0 == classes) {
            return (int) k0;
        }
        long[] nw = {out, wd[1], wd[2], wd[3]};
        TensorProtos.write(w, HostTensor.ofFloats(nw, new float[Math.toIntExact(HostTensor.numel(nw))]));
        TensorProtos.write(b, HostTensor.ofFloats(new long[] {out}, new float[(int) out]));

        Map<String, NodeProto> producer = new HashMap<>();
        Map<String, List<Integer>> consumers = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            n.getOutputList().forEach(o -> producer.put(o, n));
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, x -> new ArrayList<>()).add(i);
            }
        }
        Map<String, TensorProto> inits = new HashMap<>();
        g.getInitializerList().forEach(t -> inits.put(t.getName(), t));

        List<String> logits = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Conv") && n.getInputCount() >= 2 && n.getInput(1).equals(weight)) {
                logits.add(n.getOutput(0));
            }
        }
        if (logits.isEmpty()) {
            throw new ExportException(source + ": no Conv node uses " + weight);
        }
        String kName = "aligndet_num_classes";
        boolean needK = false;
        // (node index, input index) -> new input name
        List<long[]> rewires = new ArrayList<>();
        List<String> rewireNames = new ArrayList<>();
        List<TensorProto> newConstants = new ArrayList<>();
        for (String x : logits) {
            int reshapes = 0;
            for (int ti : consumers.getOrDefault(x, List.of())) {
                NodeProto t = g.getNode(ti);
                if (!t.getOpType().equals("Transpose")) {
                    continue;
                }
                for (int ri : consumers.getOrDefault(t.getOutput(0), List.of())) {
                    NodeProto r = g.getNode(ri);
                    if (!r.getOpType().equals("Reshape")) {
                        continue;
                    }
                    String shape = r.getInput(1);
                    long[] constant = constantValue(producer.get(shape), inits.get(shape));
                    if (constant != null) {
                        if (constant.length == 0 || constant[constant.length - 1] != k0) {
                            throw new ExportException(source + ": " + x + " is reshaped to " + Arrays.toString(constant)
                                    + ", which does not end in its " + k0 + " classes");
                        }
                        constant[constant.length - 1] = classes;
                        String name = "aligndet_cls_shape_" + newConstants.size();
                        newConstants.add(TensorProtos.of(name, HostTensor.ofLongs(new long[] {constant.length}, constant)));
                        rewires.add(new long[] {ri, 1});
                        rewireNames.add(name);
                        reshapes++;
                        continue;
                    }
                    NodeProto concat = producer.get(shape);
                    NodeProto unsq = concat != null && concat.getOpType().equals("Concat") && concat.getInputCount() > 0
                            ? producer.get(concat.getInput(concat.getInputCount() - 1)) : null;
                    String kIn = unsq != null && unsq.getOpType().equals("Unsqueeze") ? unsq.getInput(0) : null;
                    long[] kv = kIn == null ? null : constantValue(producer.get(kIn), inits.get(kIn));
                    if (kv == null || kv.length != 1 || kv[0] != k0) {
                        throw new ExportException(source + ": the reshape of " + x + " (" + r.getName() + ") does not take its last"
                                + " entry from a constant " + k0 + "; cannot size the classifier at export (generate graphs for the spec)");
                    }
                    needK = true;
                    int ui = indexOf(g, unsq);
                    rewires.add(new long[] {ui, 0});
                    rewireNames.add(kName);
                    reshapes++;
                }
            }
            if (reshapes == 0) {
                throw new ExportException(source + ": the classifier's output " + x + " is not flattened by Transpose and Reshape;"
                        + " cannot size the classifier at export");
            }
        }
        for (int i = 0; i < rewires.size(); i++) {
            long[] r = rewires.get(i);
            g.getNodeBuilder((int) r[0]).setInput((int) r[1], rewireNames.get(i));
        }
        newConstants.forEach(g::addInitializer);
        if (needK) {
            g.addInitializer(TensorProtos.of(kName, HostTensor.ofLongs(new long[0], classes)));
        }
        Set<String> outs = new LinkedHashSet<>(logits);
        for (int i = 0; i < g.getOutputCount(); i++) {
            ValueInfoProto v = g.getOutput(i);
            if (outs.contains(v.getName()) && v.getType().getTensorType().getShape().getDimCount() > 1) {
                TensorShapeProto.Dimension d = v.getType().getTensorType().getShape().getDim(1);
                if (d.hasDimValue()) {
                    g.getOutputBuilder(i).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(1).setDimValue(out);
                }
            }
        }
        g.clearValueInfo();
        return (int) k0;
    }

    private static int indexOf(GraphProto.Builder g, NodeProto n) {
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOutput(0).equals(n.getOutput(0))) {
                return i;
            }
        }
        throw new IllegalStateException("node " + n.getName() + " not in the graph");
    }

    private static TensorProto.Builder initializer(String source, GraphProto.Builder g, String name) {
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals(name)) {
                return g.getInitializerBuilder(i);
            }
        }
        throw new ExportException(source + ": template has no initializer " + name);
    }

    /** The int64 value of a Constant node's or an initializer's tensor, or null when it is neither. */
    private static long[] constantValue(NodeProto node, TensorProto init) {
        TensorProto t = init;
        if (t == null && node != null && node.getOpType().equals("Constant")) {
            for (AttributeProto a : node.getAttributeList()) {
                if (a.getName().equals("value") && a.hasT()) {
                    t = a.getT();
                }
            }
        }
        if (t == null || t.getDataType() != TensorProto.DataType.INT64_VALUE) {
            return null;
        }
        return TensorProtos.toHost(t, "constant").toLongs();
    }
}
