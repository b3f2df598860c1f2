package org.aligndet.bridge.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Constants and indices made by this project survive in libtorch's memory until backward reads them,
 * even when the collector runs and the freed direct memory is reused in between (the failure DJL's
 * own {@code Number} overloads and early-closed {@code create}d arrays showed: gradients scaled by
 * garbage, out-of-range indices).
 */
class ScalarsTest {
    /** Frees what the collector may free and overwrites reused direct memory with 0x7f bytes. */
    static void churn() {
        System.gc();
        List<ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            for (int j = 0; j < b.capacity(); j++) {
                b.put(j, (byte) 0x7f);
            }
            junk.add(b);
        }
        junk.clear();
    }

    @Test
    void savedConstantsKeepTheirValueForBackward() {
        TorchRuntime.init();
        for (int trial = 0; trial < 20; trial++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.create(new float[] {1, 2, 3, 4});
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    // d/dx of sum(max(x, 2.5) * 3 / 4 + x^2) = [2, 4, 0.75 + 6, 0.75 + 8]
                    NDArray y = Scalars.div(Scalars.mul(Scalars.maximum(x, 2.5f), 3f), 4f).add(Scalars.pow(x, 2f)).sum();
                    churn();
                    gc.backward(y);
                }
                assertArrayEquals(new float[] {2f, 4f, 6.75f, 8.75f}, x.getGradient().toFloatArray(), 1e-6f, "trial " + trial);
            }
        }
    }

    @Test
    void ownedIndicesSurviveTheirJavaHandle() {
        TorchRuntime.init();
        for (int trial = 0; trial < 20; trial++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.zeros(new Shape(1000, 2));
                x.setRequiresGradient(true);
                long[] rows = new long[500];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = (7L * i) % 1000;
                }
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray picked;
                    try (NDArray index = NdTensors.ownedIndex(m, rows)) {
                        picked = x.get(index);
                    }
                    NDArray loss = picked.sum();
                    churn();
                    gc.backward(loss);
                }
                assertEquals(1000f, x.getGradient().sum().getFloat(), "trial " + trial);
            }
        }
    }
}
