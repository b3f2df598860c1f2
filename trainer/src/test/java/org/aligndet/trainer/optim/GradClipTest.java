package org.aligndet.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradClipTest {
    @Test
    void scalesOnlyAboveTheMaximumNorm() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, ai.djl.ndarray.NDArray> g = new LinkedHashMap<>();
            g.put("a", m.create(new float[] {3f, 0f}));
            g.put("b", m.create(new float[] {4f}));
            assertEquals(5.0, GradClip.clip(g, 10), 1e-6);
            assertArrayEquals(new float[] {3f, 0f}, g.get("a").toFloatArray());
            assertEquals(5.0, GradClip.clip(g, 1), 1e-6);
            assertArrayEquals(new float[] {0.6f, 0f}, g.get("a").toFloatArray(), 1e-5f);
            assertArrayEquals(new float[] {0.8f}, g.get("b").toFloatArray(), 1e-5f);
        }
    }
}
