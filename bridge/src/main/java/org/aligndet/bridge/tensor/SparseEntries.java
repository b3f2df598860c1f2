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

    /** @param capacity entries held before the arrays grow (doubling); the exact count, when known, saves every copy */
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

    /**
     * The entries' rows, exactly {@link #size()} values: a copy, or the list's own array when the list
     * is exactly full (a capacity counted beforehand saves the copy). Read it; do not modify it.
     */
    public long[] rows() {
        return size == rows.length ? rows : Arrays.copyOf(rows, size);
    }

    /** The entries' columns, as {@link #rows()}. */
    public long[] cols() {
        return size == cols.length ? cols : Arrays.copyOf(cols, size);
    }

    /** The entries' values, as {@link #rows()}. */
    public float[] values() {
        return size == vals.length ? vals : Arrays.copyOf(vals, size);
    }
}
