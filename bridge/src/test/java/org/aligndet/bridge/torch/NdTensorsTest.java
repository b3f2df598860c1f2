package org.aligndet.bridge.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/**
 * {@link NdTensors#floats}: the values land intact, in storage of their own, whatever the staging buffer
 * does next; {@link NdTensors#copyInto}: the values land in the target's own storage.
 */
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

    @Test
    void copyIntoWritesTheTargetsOwnStorage() {
        TorchRuntime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray target = m.zeros(new Shape(3, 4));
            target.setRequiresGradient(true); // a parameter: in place only without autograd
            // a view shares the target's storage: it sees the values only if they were written there, not
            // if the target was pointed at other memory (DJL's set(Buffer) on the CPU)
            NDArray view = target.get(":");
            float[] v = ramp(12, 3f);
            NdTensors.copyInto(target, HostTensor.ofFloats(new long[] {3, 4}, v));
            assertArrayEquals(v, target.toFloatArray());
            assertArrayEquals(v, view.toFloatArray());
            // the staging buffer's next use leaves the target alone
            NdTensors.copyInto(m.zeros(new Shape(12)), HostTensor.ofFloats(new long[] {12}, ramp(12, -7f)));
            NdTensors.floats(m, ramp(12, 90f), new Shape(12));
            ScalarsTest.churn();
            assertArrayEquals(v, target.toFloatArray());

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NdTensors.copyInto(target, HostTensor.ofFloats(new long[] {2, 4}, new float[8])));
            assertTrue(e.getMessage().contains("[2, 4]") && e.getMessage().contains("(3, 4)"), e.getMessage());
        }
    }

    @Test
    void ownedIndexKeepsItsValuesWhateverTheStagingBufferDoesNext() {
        TorchRuntime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            long[] v = {5, 0, 7, 1L << 40};
            NDArray index = NdTensors.ownedIndex(m, v);
            NdTensors.floats(m, ramp(64, 9f), new Shape(64)); // the same buffer, overwritten
            ScalarsTest.churn();
            assertEquals(DataType.INT64, index.getDataType());
            assertArrayEquals(v, index.toLongArray());
            assertEquals(0, NdTensors.ownedIndex(m, new long[0]).size());
        }
    }

    @Test
    void ownedIndexOfAPrefixTakesOnlyThatPrefix() {
        TorchRuntime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            long[] buffer = {3, 1, 4, 1, 5};
            assertArrayEquals(new long[] {3, 1, 4}, NdTensors.ownedIndex(m, buffer, 3).toLongArray());
            assertEquals(0, NdTensors.ownedIndex(m, buffer, 0).size());
            assertThrows(IllegalArgumentException.class, () -> NdTensors.ownedIndex(m, buffer, 6));
        }
    }
}
