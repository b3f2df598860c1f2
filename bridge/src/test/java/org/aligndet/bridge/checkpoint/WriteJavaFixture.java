package org.aligndet.bridge.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.Half;
import org.aligndet.bridge.tensor.HostTensor;

/**
 * Writes {@code model-specs/fixtures/checkpoints/java_written.pth} and
 * {@code java_written.expected.json}: a checkpoint {@code {'state_dict': OrderedDict(...), 'meta':
 * {...}}} with float32, float16, bfloat16, int64, uint8 and bool tensors (plus a 0-dim and an
 * empty one), and the JSON that the fixture generator compares {@code torch.load}'s result with.
 * The content is fixed, so rerunning it reproduces the same files.
 *
 * <p>Run: {@code mvn -o -q -pl bridge test-compile}, then
 * {@code java -cp bridge/target/classes:bridge/target/test-classes:<jackson jars>
 * org.aligndet.bridge.checkpoint.WriteJavaFixture [repo root]}, then
 * {@code /usr/bin/python3 model-specs/generator/checkpoint_fixtures.py}.
 */
public final class WriteJavaFixture {
    private WriteJavaFixture() {
    }

    static Map<String, HostTensor> stateDict() {
        Map<String, HostTensor> sd = new LinkedHashMap<>();
        sd.put("backbone.conv1.weight", HostTensor.ofFloats(new long[] {2, 1, 2, 2},
                0.5f, -1.25f, 3.0f, 1e-3f, -7.5f, 0.1f, 2.5e6f, -0.0f));
        sd.put("backbone.bn1.weight_half", halves(new long[] {4}, 0.1f, -2.5f, 65504f, 1e-5f));
        sd.put("backbone.bn1.bias_bf16", bf16s(new long[] {3}, 0.1f, 3.14159f, -1e10f));
        sd.put("backbone.bn1.num_batches_tracked", HostTensor.ofLongs(new long[0], 1234L));
        sd.put("head.anchor_ids", HostTensor.ofLongs(new long[] {2, 2}, Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE));
        sd.put("head.mask", new HostTensor(DType.BOOL, new long[] {3}, new byte[] {1, 0, 1}));
        sd.put("head.lut", new HostTensor(DType.UINT8, new long[] {4}, new byte[] {0, 1, (byte) 128, (byte) 255}));
        sd.put("head.empty", HostTensor.ofFloats(new long[] {0, 4}));
        return sd;
    }

    static Map<String, Object> meta() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("pair", PickleTuple.of(1L, "a", null));
        nested.put("flag", true);
        nested.put("off", false);
        nested.put("none", null);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("writer", "aligndet-java");
        meta.put("epoch", 12L);
        meta.put("iter", 70000);
        meta.put("lr", new ArrayList<Object>(Arrays.asList(0.02, 0.002)));
        meta.put("big", 1L << 40);
        meta.put("neg", -7L);
        meta.put("unicode", "größe ✓");
        meta.put("config", nested);
        return meta;
    }

    static Map<String, Object> content() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", stateDict());
        root.put("meta", meta());
        return root;
    }

    static Map<String, Object> expectedJson() {
        Map<String, Object> tensors = new LinkedHashMap<>();
        stateDict().forEach((k, t) -> tensors.put(k, Fixtures.describe(t)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tensors", tensors);
        out.put("meta", Fixtures.plain(meta()));
        return out;
    }

    private static HostTensor halves(long[] shape, float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort(Half.fromFloat(f));
        }
        return new HostTensor(DType.FLOAT16, shape, b.array());
    }

    private static HostTensor bf16s(long[] shape, float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort(Half.toBfloat16(f));
        }
        return new HostTensor(DType.BFLOAT16, shape, b.array());
    }

    public static void main(String[] args) throws IOException {
        Path dir = (args.length > 0 ? Path.of(args[0]) : Fixtures.root()).resolve("model-specs/fixtures/checkpoints");
        TorchCheckpoint.write(dir.resolve("java_written.pth"), content());
        Fixtures.JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("java_written.expected.json").toFile(),
                expectedJson());
        System.out.println("wrote " + dir.resolve("java_written.pth"));
    }
}
