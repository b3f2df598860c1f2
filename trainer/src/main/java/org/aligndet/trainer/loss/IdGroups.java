package org.aligndet.trainer.loss;

import java.util.Arrays;

/**
 * The positions of each id {@code >= 0} in an array of ids, grouped: distinct ids ascending, each
 * id's positions ascending. Held in three primitive arrays (no boxed keys or lists): the
 * contrastive loss groups two views' 4096 boxes every step.
 */
final class IdGroups {
    private static final int[] NONE = new int[0];

    private final long[] ids;
    private final int[] start;
    private final int[] positions;

    private IdGroups(long[] ids, int[] start, int[] positions) {
        this.ids = ids;
        this.start = start;
        this.positions = positions;
    }

    /** Groups {@code values}; negative values (background) belong to no group. */
    static IdGroups of(long[] values) {
        int n = 0;
        for (long v : values) {
            if (v >= 0) {
                n++;
            }
        }
        long[] sorted = new long[n];
        n = 0;
        for (long v : values) {
            if (v >= 0) {
                sorted[n++] = v;
            }
        }
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                sorted[distinct++] = sorted[i];
            }
        }
        long[] ids = Arrays.copyOf(sorted, distinct);
        int[] start = new int[distinct + 1];
        for (long v : values) {
            if (v >= 0) {
                start[Arrays.binarySearch(ids, v) + 1]++;
            }
        }
        for (int g = 0; g < distinct; g++) {
            start[g + 1] += start[g];
        }
        int[] fill = Arrays.copyOf(start, distinct);
        int[] positions = new int[n];
        for (int i = 0; i < values.length; i++) {
            if (values[i] >= 0) {
                positions[fill[Arrays.binarySearch(ids, values[i])]++] = i;
            }
        }
        return new IdGroups(ids, start, positions);
    }

    /** The number of distinct ids {@code >= 0}. */
    int groups() {
        return ids.length;
    }

    /** The group of {@code id}, or {@code -1} when it does not occur. */
    int group(long id) {
        int g = id < 0 ? -1 : Arrays.binarySearch(ids, id);
        return g < 0 ? -1 : g;
    }

    /** How many times {@code id} occurs (0 when it does not). */
    int count(long id) {
        int g = group(id);
        return g < 0 ? 0 : start[g + 1] - start[g];
    }

    /** Where group {@code g}'s positions begin in {@link #positions()}. */
    int start(int g) {
        return start[g];
    }

    /** Where group {@code g}'s positions end (exclusive) in {@link #positions()}. */
    int end(int g) {
        return start[g + 1];
    }

    /** Every group's positions, group after group (read, do not modify). */
    int[] positions() {
        return positions;
    }

    /** The positions of {@code id}, ascending (a copy; empty when it does not occur). */
    int[] positionsOf(long id) {
        int g = group(id);
        return g < 0 ? NONE : Arrays.copyOfRange(positions, start[g], start[g + 1]);
    }
}
