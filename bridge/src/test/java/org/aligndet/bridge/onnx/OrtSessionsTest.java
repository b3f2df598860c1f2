package org.aligndet.bridge.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/** Runs the fixture through ONNX Runtime and compares with the torch outputs recorded at export. */
class OrtSessionsTest {
    private static final float TOL = 1e-5f;
    private final JsonNode outs = Fixtures.expected().get("run").get("outputs");

    @Test
    void providersAlwaysIncludeCpu() {
        List<String> p = OrtSessions.providers();
        assertEquals("CPU", p.get(p.size() - 1));
        assertEquals(p.contains("CUDA"), OrtSessions.cudaUnavailableReason() == null);
        assertEquals("1.20.0", OrtSessions.version());
    }

    @Test
    void cpuRunMatchesTorch() {
        try (OnnxSession s = OrtSessions.open(Fixtures.tinyNet(), OrtSessions.CPU)) {
            assertEquals("CPU", s.provider());
            assertEquals(List.of("images"), s.inputNames());
            Map<String, HostTensor> out = s.run(Map.of("images", Fixtures.input()));
            assertEquals(List.of("logits", "keep"), List.copyOf(out.keySet()));
            assertMatches(out);
        }
    }

    /** With the default device the session uses CUDA where it loads, else falls back to CPU. */
    @Test
    void defaultDeviceRunMatchesTorchWhateverTheProvider() {
        try (OnnxSession s = OrtSessions.open(Fixtures.tinyNet(), 0)) {
            assertEquals(OrtSessions.providers().get(0), s.provider());
            assertMatches(s.run(Map.of("images", Fixtures.input())));
        }
    }

    private void assertMatches(Map<String, HostTensor> out) {
        HostTensor logits = out.get("logits");
        assertEquals(DType.FLOAT32, logits.dtype());
        assertArrayEquals(Fixtures.longs(outs.get("logits").get("shape")), logits.shape());
        float[] want = Fixtures.floats(outs.get("logits").get("data"));
        float[] have = logits.toFloats();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], have[i], TOL, "logits[" + i + "]");
        }
        HostTensor keep = out.get("keep");
        assertEquals(DType.INT64, keep.dtype());
        assertArrayEquals(Fixtures.longs(outs.get("keep").get("data")), keep.toLongs());
    }

    @Test
    void filledInMemoryModelChangesTheOutput() {
        OnnxModel m = OnnxModel.load(Fixtures.tinyNet());
        HostTensor bias = m.initializer("fc.bias");
        float[] shifted = bias.toFloats();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 10f;
        }
        FillReport r = m.fillInitializers(Map.of("fc.bias", HostTensor.ofFloats(bias.shape(), shifted)));
        assertEquals(List.of("fc.bias"), r.filled());
        try (OnnxSession s = OrtSessions.open(m.toBytes(), "tiny_net+bias", OrtSessions.CPU)) {
            float[] have = s.run(Map.of("images", Fixtures.input())).get("logits").toFloats();
            float[] want = Fixtures.floats(outs.get("logits").get("data"));
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i] + 10f, have[i], 1e-4f, "logits[" + i + "]");
            }
        }
    }

    @Test
    void emptyBatchGivesEmptyOutputs() {
        try (OnnxSession s = OrtSessions.open(Fixtures.tinyNet(), OrtSessions.CPU)) {
            Map<String, HostTensor> out = s.run(Map.of("images", HostTensor.ofFloats(new long[] {0, 3, 8, 8})));
            assertArrayEquals(new long[] {0, 6}, out.get("logits").shape());
            assertArrayEquals(new long[] {0}, out.get("keep").shape());
        }
    }
}
