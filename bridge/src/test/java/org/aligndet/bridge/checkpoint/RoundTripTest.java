package org.aligndet.bridge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.aligndet.bridge.tensor.DType;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What TorchCheckpoint.write writes, TorchCheckpoint.read reads back unchanged. */
class RoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void everyDtypeRoundTrips() throws Exception {
        Map<String, HostTensor> sd = new LinkedHashMap<>();
        for (DType d : DType.values()) {
            byte[] data = new byte[6 * d.bytes()];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (d == DType.BOOL ? i % 2 : i * 37 + d.ordinal());
            }
            sd.put("t." + d.shortName(), new HostTensor(d, new long[] {2, 3}, data));
        }
        sd.put("scalar", HostTensor.ofFloats(new long[0], 2.5f));
        sd.put("empty", HostTensor.ofLongs(new long[] {3, 0}));
        Path f = tmp.resolve("all.pth");
        TorchCheckpoint.write(f, sd);
        Object root = TorchCheckpoint.read(f);
        assertInstanceOf(PickleOrderedDict.class, root);
        assertEquals(sd, TorchCheckpoint.stateDict(root));
        assertEquals(new ArrayList<>(sd.keySet()), new ArrayList<>(TorchCheckpoint.stateDict(root).keySet()));
    }

    @Test
    void nestedContainersRoundTrip() throws Exception {
        Map<Object, Object> inner = new LinkedHashMap<>();
        inner.put("t", PickleTuple.of(1L, "two", null, 3.5, PickleTuple.of()));
        inner.put(7L, new ArrayList<>(List.of(true, false, -1L, 65536L, -2147483648L, 1L << 40)));
        inner.put(PickleTuple.of("a", 1L), "tuple key");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("inner", inner);
        root.put("big", new BigInteger("123456789012345678901234567890"));
        root.put("neg_big", new BigInteger("-123456789012345678901234567890"));
        root.put("min", Long.MIN_VALUE);
        root.put("double", -0.0);
        root.put("nan", Double.NaN);
        root.put("set", new LinkedHashSet<>(List.of("x", "y")));
        root.put("empty_list", new ArrayList<>());
        root.put("empty_map", new LinkedHashMap<>());
        root.put("unicode", "grüße ✓ \uD83D\uDE00");
        root.put("tensor", HostTensor.ofFloats(new long[] {2}, 1f, 2f));
        Path f = tmp.resolve("nested.pth");
        TorchCheckpoint.write(f, root);
        Map<?, ?> back = assertInstanceOf(LinkedHashMap.class, TorchCheckpoint.read(f));
        assertEquals(Fixtures.plain(root), Fixtures.plain(back));
        assertEquals(inner, back.get("inner"));
        assertEquals(root.get("big"), back.get("big"));
    }

    @Test
    void bytesRoundTrip() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        Path f = tmp.resolve("bytes.pth");
        TorchCheckpoint.write(f, new ArrayList<>(List.of(all, new byte[0])));
        List<?> back = (List<?>) TorchCheckpoint.read(f);
        assertArrayEquals(all, (byte[]) back.get(0));
        assertArrayEquals(new byte[0], (byte[]) back.get(1));
    }

    @Test
    void metadataSurvives() throws Exception {
        PickleOrderedDict sd = new PickleOrderedDict();
        sd.put("w", HostTensor.ofFloats(new long[] {1}, 1f));
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("version", 1L);
        PickleOrderedDict md = new PickleOrderedDict();
        md.put("", version);
        sd.setMetadata(md);
        Path f = tmp.resolve("md.pth");
        TorchCheckpoint.write(f, Map.of("state_dict", sd));
        PickleOrderedDict back = (PickleOrderedDict) ((Map<?, ?>) TorchCheckpoint.read(f)).get("state_dict");
        assertEquals(md, back.metadata());
        assertEquals(sd, back);
    }

    @Test
    void sameTensorTwiceSharesOneStorage() throws Exception {
        HostTensor t = HostTensor.ofFloats(new long[] {3}, 1f, 2f, 3f);
        Path f = tmp.resolve("shared.pth");
        TorchCheckpoint.write(f, new ArrayList<>(List.of(t, t)));
        assertEquals(List.of(t, t), TorchCheckpoint.read(f));
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertEquals(1, z.stream().filter(e -> e.getName().startsWith("archive/data/")).count());
        }
    }

    @Test
    void writtenEntriesAreStoredAnd64ByteAligned() throws Exception {
        Path f = tmp.resolve("aligned.pth");
        TorchCheckpoint.write(f, WriteJavaFixture.content());
        byte[] raw = Files.readAllBytes(f);
        try (ZipFile z = new ZipFile(f.toFile())) {
            for (ZipEntry e : z.stream().toList()) {
                assertEquals(ZipEntry.STORED, e.getMethod());
                assertTrue(e.getName().startsWith("archive/"), e.getName());
                if (e.getName().startsWith("archive/data/") && e.getSize() > 0) {
                    byte[] want = z.getInputStream(e).readAllBytes();
                    int at = indexOf(raw, want);
                    assertEquals(0, at % TorchZipWriter.ALIGNMENT, e.getName() + " at " + at);
                }
            }
        }
    }

    @Test
    void writeIsAtomicAndLeavesNoTempFiles() throws Exception {
        Path f = tmp.resolve("atomic.pth");
        TorchCheckpoint.write(f, Map.of("a", 1L));
        TorchCheckpoint.write(f, Map.of("a", 2L));
        assertEquals(Map.of("a", 2L), TorchCheckpoint.read(f));
        assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.write(f, Map.of("a", new Object())));
        assertEquals(Map.of("a", 2L), TorchCheckpoint.read(f));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
