package org.aligndet.bridge.onnx;

import java.util.ArrayList;
import java.util.List;
import org.aligndet.bridge.onnx.proto.OnnxProto.AttributeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.GraphProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.NodeProto;

/**
 * Pre-order walk over a graph builder and every subgraph held by node attributes (the
 * {@code then_branch}/{@code else_branch} of {@code If}, the {@code body} of {@code Loop}, ...).
 * Only fields already present are descended into, so walking never changes the serialised model.
 */
final class GraphWalk {

    /** A graph reached by the walk and its path ({@code ""} for the main graph). */
    record Scope(String path, GraphProto.Builder graph) {
    }

    private GraphWalk() {
    }

    /** The main graph first, then each subgraph in node order, depth first. */
    static List<Scope> scopes(GraphProto.Builder main) {
        List<Scope> out = new ArrayList<>();
        visit("", main, out);
        return out;
    }

    private static void visit(String path, GraphProto.Builder g, List<Scope> out) {
        out.add(new Scope(path, g));
        for (int n = 0; n < g.getNodeCount(); n++) {
            NodeProto node = g.getNode(n);
            if (!hasSubgraph(node)) {
                continue; // do not turn plain nodes into builders needlessly
            }
            NodeProto.Builder nb = g.getNodeBuilder(n);
            String nodeName = nb.getName().isEmpty() ? nb.getOpType() + "#" + n : nb.getName();
            for (int a = 0; a < nb.getAttributeCount(); a++) {
                AttributeProto.Builder ab = nb.getAttributeBuilder(a);
                String prefix = (path.isEmpty() ? "" : path + "/") + nodeName + "/" + ab.getName();
                if (ab.hasG()) {
                    visit(prefix, ab.getGBuilder(), out);
                }
                for (int i = 0; i < ab.getGraphsCount(); i++) {
                    visit(prefix + "[" + i + "]", ab.getGraphsBuilder(i), out);
                }
            }
        }
    }

    private static boolean hasSubgraph(NodeProto node) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.hasG() || a.getGraphsCount() > 0) {
                return true;
            }
        }
        return false;
    }
}
