package org.aligndet.trainer.data;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many entries a reader left out, per reason ("bbox with zero or negative width or height",
 * "box outside the image", ...). Readers filter such entries instead of failing, count them here,
 * and report the counts once at the end.
 */
public final class SkipCounts {
    private final Map<String, Integer> counts = new TreeMap<>();

    public void add(String reason) {
        counts.merge(reason, 1, Integer::sum);
    }

    /** Counts per reason, sorted by reason. */
    public Map<String, Integer> counts() {
        return Collections.unmodifiableMap(counts);
    }

    public int count(String reason) {
        return counts.getOrDefault(reason, 0);
    }

    public int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /** One line: {@code "<source>: skipped 3 (2 reason a, 1 reason b)"}, or {@code "<source>: nothing skipped"}. */
    public String summary(String source) {
        if (counts.isEmpty()) {
            return source + ": nothing skipped";
        }
        StringBuilder sb = new StringBuilder(source).append(": skipped ").append(total()).append(" (");
        String sep = "";
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            sb.append(sep).append(e.getValue()).append(' ').append(e.getKey());
            sep = ", ";
        }
        return sb.append(')').toString();
    }

    @Override
    public String toString() {
        return counts.toString();
    }
}
