package org.aligndet.trainer.data;

/**
 * One annotated object of a VOC image as its XML states it: the 1-based inclusive pixel frame
 * ({@code width = xmax - xmin + 1}), float64 as parsed. The VOC evaluator reads these boxes as they
 * are; the training view ({@link VocReader#load(VocSplit)}) maps them to the continuous frame of
 * {@link Instance}.
 *
 * @param name      the XML's {@code <name>}
 * @param label     index of {@code name} in the reader's class list, {@link #UNKNOWN} when absent
 * @param difficult VOC {@code difficult}: never a miss, and detections on it are ignored
 */
public record VocObject(String name, int label, double xmin, double ymin, double xmax, double ymax, boolean difficult) {
    /** The label of an object whose class is not in the list. */
    public static final int UNKNOWN = -1;

    /** An object of a class outside the list: only its name is read (box NaN, not difficult). */
    public static VocObject unknown(String name) {
        return new VocObject(name, UNKNOWN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, false);
    }
}
