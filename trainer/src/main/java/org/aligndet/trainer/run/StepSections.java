package org.aligndet.trainer.run;

import java.util.Map;

/**
 * Named parts of a task's forward (the graph forwards, the targets, the losses), timed for the step
 * benchmark, so that its overhead (full step against the graph calls alone) can be attributed.
 * {@link TrainingLoop#step} opens a record on the calling thread when it is given
 * {@link TrainingLoop.Phases}; a task marks its parts with {@link #mark()} and {@link #lap}. With no
 * record open a mark is a thread-local read and nothing is timed.
 *
 * <pre>{@code
 * long t = StepSections.mark();
 * ... graph forwards ...
 * t = StepSections.lap("graph", t);
 * ... targets ...
 * StepSections.lap("targets", t);
 * }</pre>
 */
public final class StepSections {
    private static final ThreadLocal<Map<String, Double>> OPEN = new ThreadLocal<>();

    private StepSections() {
    }

    /** Now, in nanoseconds, when a record is open on this thread; 0 otherwise. */
    public static long mark() {
        return OPEN.get() == null ? 0 : System.nanoTime();
    }

    /** Adds the seconds since {@code since} (a {@link #mark()}) to section {@code name}; returns the next mark. */
    public static long lap(String name, long since) {
        Map<String, Double> record = OPEN.get();
        if (record == null) {
            return 0;
        }
        long now = System.nanoTime();
        record.merge(name, (now - since) / 1e9, Double::sum);
        return now;
    }

    /** Opens {@code record} on this thread; null opens none. */
    static void open(Map<String, Double> record) {
        OPEN.set(record);
    }

    static void close() {
        OPEN.remove();
    }
}
