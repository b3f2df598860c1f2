package org.aligndet.bridge.tensor;

import java.util.Arrays;

/**
 * A growing list of {@code (row, column, value)} entries in primitive arrays: a sparse matrix in
 * coordinate form being built on the host (RoIAlign's bilinear weights, the contrastive loss's
 * positive pairs) before it becomes index and value tensors.
 */
public final class SparseEntries {
    private long[] rows;
    private long[] cols;
    private float[] vals;
    private int size;

    public SparseEntries(int capacity) {
        int c = Math.max(1, capacity);
        rows = new long[c];
        cols = new long[c];
        vals = new float[c];
    }

    public void add(long row, long col, float value) {
        if (size == vals.length) {
            rows = Arrays.copyOf(rows, 2 * size);
            cols = Arrays.copyOf(cols, 2 * size);
            vals = Arrays.copyOf(vals, 2 * size);
        }
        rows[size] = row;
        cols[size] = col;
        vals[size++] = value;
    }

    public int size() {
        return size;
    }

    /** The entries' rows, a copy of exactly {@link #size()} values. */
    public long[] rows() {
        return Arrays.copyOf(rows, size);
    }

    /** The entries' columns, a copy. */
    public long[] cols() {
        return Arrays.copyOf(cols, size);
    }

    /** The entries' values, a copy. */
    public float[] values() {
        return Arrays.copyOf(vals, size);
    }
}
