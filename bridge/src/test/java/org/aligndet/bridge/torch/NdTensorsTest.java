package org.aligndet.bridge.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** {@link NdTensors#floats}: the values land intact, in storage of their own, whatever the staging buffer does next. */
class NdTensorsTest {
    private static float[] ramp(int n, float offset) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + i * 0.25f;
        }
        return v;
    }

    @Test
    void floatsCopyIntoStorageOfTheirOwn() {
        TorchRuntime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            float[] a = ramp(2 * 3 * 5 * 7, 1f);
            NDArray first = NdTensors.floats(m, a, new Shape(2, 3, 5, 7));
            // the next call reuses (and overwrites) the thread's staging buffer; a smaller one its start only
            NDArray second = NdTensors.floats(m, ramp(11, -100f), new Shape(11));
            NDArray third = NdTensors.floats(m, ramp(4 * 3 * 5 * 7, 50f), new Shape(4, 3, 5, 7)); // grows it
            ScalarsTest.churn();
            assertEquals(new Shape(2, 3, 5, 7), first.getShape());
            assertEquals(DataType.FLOAT32, first.getDataType());
            assertArrayEquals(a, first.toFloatArray());
            assertArrayEquals(ramp(11, -100f), second.toFloatArray());
            assertArrayEquals(ramp(4 * 3 * 5 * 7, 50f), third.toFloatArray());
            // writing into one leaves the others (and the caller's array) alone
            first.muli(0f);
            assertEquals(1f, a[0]);
            assertArrayEquals(ramp(11, -100f), second.toFloatArray());
            assertEquals(0f, first.sum().getFloat());
        }
    }

    @Test
    void floatsRejectAShapeTheyDoNotFill() {
        TorchRuntime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NdTensors.floats(m, new float[10], new Shape(2, 3)));
            assertTrue(e.getMessage().contains("10 floats"), e.getMessage());
        }
    }
}
