package org.aligndet.bridge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Files written by real torch.save read back exactly as expected.json says. */
class TorchFixturesTest {
    static Map<String, Object> expected;

    @BeforeAll
    static void load() throws Exception {
        expected = Fixtures.json(Fixtures.file("expected.json"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entry(String file) {
        return (Map<String, Object>) expected.get(file);
    }

    @SuppressWarnings("unchecked")
    private static void assertTensors(String file, Map<String, HostTensor> got) {
        Map<String, Object> want = (Map<String, Object>) entry(file).get("tensors");
        assertEquals(new ArrayList<>(want.keySet()), new ArrayList<>(got.keySet()), file + " tensor names");
        for (Map.Entry<String, Object> e : want.entrySet()) {
            assertEquals(e.getValue(), Fixtures.describe(got.get(e.getKey())), file + " tensor " + e.getKey());
        }
    }

    @Test
    void stateDictTensorsMetaAndMetadata() throws Exception {
        Object root = TorchCheckpoint.read(Fixtures.file("state_dict.pth"));
        Map<?, ?> top = assertInstanceOf(Map.class, root);
        PickleOrderedDict sd = assertInstanceOf(PickleOrderedDict.class, top.get("state_dict"));
        assertTensors("state_dict.pth", TorchCheckpoint.stateDict(root));
        assertEquals(entry("state_dict.pth").get("state_dict_keys"), new ArrayList<>(sd.keySet()));
        Map<?, ?> metadata = assertInstanceOf(Map.class, sd.metadata());
        assertEquals(entry("state_dict.pth").get("metadata_keys"), new ArrayList<>(metadata.keySet()));
        assertEquals(entry("state_dict.pth").get("meta"), Fixtures.plain(top.get("meta")));
    }

    @Test
    void numpyScalarsAndTuplesAreDecoded() throws Exception {
        Map<?, ?> meta = (Map<?, ?>) ((Map<?, ?>) TorchCheckpoint.read(Fixtures.file("state_dict.pth"))).get("meta");
        assertEquals(0.125, meta.get("np_f64"));
        assertEquals(-42L, meta.get("np_i64"));
        assertEquals(1L << 40, meta.get("big"));
        Map<?, ?> model = (Map<?, ?>) ((Map<?, ?>) meta.get("config")).get("model");
        assertEquals(PickleTuple.of(1L, 2L, "x"), model.get("pair"));
    }

    @Test
    void everyDtypeAndViewReadsBack() throws Exception {
        Map<String, HostTensor> tensors = TorchCheckpoint.readStateDict(Fixtures.file("dtypes.pth"));
        assertTensors("dtypes.pth", tensors);
    }

    @Test
    void viewsHaveTheirShapes() throws Exception {
        Map<String, HostTensor> t = TorchCheckpoint.readStateDict(Fixtures.file("dtypes.pth"));
        assertEquals(List.of(), Fixtures.describe(t.get("scalar")).get("shape"));
        assertEquals(List.of(3.5), Fixtures.values(t.get("scalar")));
        assertEquals(0, t.get("empty").numel());
        assertEquals(List.of(0L, 3L), Fixtures.describe(t.get("empty")).get("shape"));
        // shared_a = s[0:6], shared_b = s[4:10] of one storage s = 1.5 * arange(10)
        assertEquals(Fixtures.values(t.get("shared_a")).subList(4, 6), Fixtures.values(t.get("shared_b")).subList(0, 2));
        assertEquals(List.of(0L, 1L, 2L, 0L, 1L, 2L), Fixtures.values(t.get("expanded")));
        assertNotNull(t.get("transposed"));
    }
}
