package org.aligndet.bridge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed java_written.pth (checked by torch.load) still reads back as WriteJavaFixture writes it. */
class JavaWrittenFixtureTest {
    @Test
    void committedFileMatchesTheWriter() throws Exception {
        Object root = TorchCheckpoint.read(Fixtures.file("java_written.pth"));
        Map<?, ?> top = assertInstanceOf(Map.class, root);
        assertInstanceOf(PickleOrderedDict.class, top.get("state_dict"));
        assertEquals(WriteJavaFixture.stateDict(), TorchCheckpoint.stateDict(root));
        assertEquals(Fixtures.plain(WriteJavaFixture.meta()), Fixtures.plain(top.get("meta")));
        assertEquals(WriteJavaFixture.expectedJson(), Fixtures.json(Fixtures.file("java_written.expected.json")));
    }

    @Test
    void torchCheckLogSaysOk() throws Exception {
        String log = Files.readString(Fixtures.file("java_written.torch_check.txt"));
        assertTrue(log.contains("OK: java_written.pth matches java_written.expected.json"), log);
        assertTrue(!log.contains("FAIL"), log);
    }
}
