package org.aligndet.bridge.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.onnx.proto.OnnxProto.AttributeProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.GraphProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.ModelProto;
import org.aligndet.bridge.onnx.proto.OnnxProto.NodeProto;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/**
 * Reads the torch-exported tiny_net.onnx and checks every field the expected JSON (written by
 * onnx's own Python parser) records: if a field number in onnx_model.proto were wrong, the value
 * would land elsewhere or in the unknown fields and these comparisons would fail.
 */
class OnnxModelFixtureTest {
    private final OnnxModel model = OnnxModel.load(Fixtures.tinyNet());
    private final JsonNode exp = Fixtures.expected();

    @Test
    void headerFields() {
        assertEquals(exp.get("ir_version").asLong(), model.irVersion());
        assertEquals(exp.get("producer_name").asText(), model.producerName());
        assertEquals(exp.get("producer_version").asText(), model.proto().getProducerVersion());
        JsonNode opset = exp.get("opset");
        assertEquals(opset.size(), model.opsets().size());
        for (JsonNode o : opset) {
            assertEquals(o.get("version").asLong(), model.opsets().get(o.get("domain").asText()));
        }
        assertTrue(model.proto().getUnknownFields().asMap().isEmpty(), "no field left unparsed");
    }

    @Test
    void initializersMatchNamesDtypesDimsAndValues() {
        JsonNode inits = exp.get("initializers");
        List<InitializerInfo> main = model.initializers().stream().filter(i -> !i.inSubgraph()).toList();
        assertEquals(inits.size(), main.size());
        for (int k = 0; k < inits.size(); k++) {
            JsonNode e = inits.get(k);
            InitializerInfo info = main.get(k);
            assertEquals(e.get("name").asText(), info.name());
            assertEquals(e.get("data_type").asInt(), info.dataType());
            assertEquals(DType.parse(e.get("dtype").asText()), info.dtype());
            assertArrayEquals(Fixtures.longs(e.get("dims")), info.shape());
            HostTensor t = model.initializer(info.name());
            assertArrayEquals(info.shape(), t.shape());
            float[] first = Fixtures.floats(e.get("first"));
            float[] have = t.toFloats();
            for (int i = 0; i < first.length; i++) {
                assertEquals(first[i], have[i], 0f, info.name() + "[" + i + "]");
            }
        }
        assertTrue(model.hasInitializer("bn.running_var"));
    }

    @Test
    void inputsAndOutputsWithDynamicAxes() {
        assertEquals(specs(exp.get("inputs")), model.inputs());
        assertEquals(specs(exp.get("outputs")), model.outputs());
        assertEquals("images float32 [N,3,H,W]", model.inputs().get(0).toString());
        assertTrue(model.inputs().get(0).isDynamic(0));
        model.requireInputs(ValueSpec.of("images", DType.FLOAT32, "N", "3", "H", "W"));
        model.requireOutputs(ValueSpec.of("logits", DType.FLOAT32, "N", "6"), ValueSpec.of("keep", DType.INT64, "K"));
    }

    private static List<ValueSpec> specs(JsonNode arr) {
        List<ValueSpec> out = new ArrayList<>();
        for (JsonNode v : arr) {
            List<String> dims = new ArrayList<>();
            v.get("shape").forEach(d -> dims.add(d.asText()));
            out.add(new ValueSpec(v.get("name").asText(), v.get("elem_type").asInt(), dims, true));
        }
        return out;
    }

    @Test
    void nodesAndOpTypes() {
        GraphProto g = model.proto().getGraph();
        assertEquals(exp.get("node_count").asInt(), g.getNodeCount());
        for (int i = 0; i < g.getNodeCount(); i++) {
            assertEquals(exp.get("op_types").get(i).asText(), g.getNode(i).getOpType(), "node " + i);
        }
    }

    @Test
    void subgraphsOfTheIfNode() {
        JsonNode subs = exp.get("subgraphs");
        assertTrue(subs.size() >= 2, "fixture should have an If with two branches");
        ModelProto m = model.proto();
        for (JsonNode s : subs) {
            NodeProto node = m.getGraph().getNodeList().stream()
                    .filter(n -> n.getName().equals(s.get("node").asText())).findFirst().orElseThrow();
            assertEquals(s.get("op_type").asText(), node.getOpType());
            AttributeProto attr = node.getAttributeList().stream()
                    .filter(a -> a.getName().equals(s.get("attribute").asText())).findFirst().orElseThrow();
            assertEquals(AttributeProto.AttributeType.GRAPH, attr.getType());
            assertEquals(s.get("graph").asText(), attr.getG().getName());
            List<String> ops = attr.getG().getNodeList().stream().map(NodeProto::getOpType).toList();
            List<String> want = new ArrayList<>();
            s.get("op_types").forEach(o -> want.add(o.asText()));
            assertEquals(want, ops);
            long inits = model.initializers().stream()
                    .filter(i -> i.graph().equals(s.get("node").asText() + "/" + s.get("attribute").asText()))
                    .count();
            assertEquals(s.get("initializers").size(), inits);
        }
        assertTrue(subs.toString().contains("NonMaxSuppression"));
    }

    @Test
    void metadataOfFreshExportIsEmpty() {
        assertEquals(Map.of(), model.metadata());
    }
}
