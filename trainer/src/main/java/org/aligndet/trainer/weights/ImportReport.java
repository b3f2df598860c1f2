package org.aligndet.trainer.weights;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an import did, name by name.
 *
 * @param source       the file read
 * @param format       the format used ({@code mmdet}, {@code torchvision}, ...)
 * @param detail       what the file says about itself ({@code mmdetection 3.x (mmengine)}, ...)
 * @param guessed      whether {@code --format auto} chose the format
 * @param layout       the spec's parameter set compared against: {@code finetune} (the fine-tuning graph's) or
 *                     {@code pretrain} (the pre-training graph's, e.g. an FPN with conv biases and no norm)
 * @param loaded       target names imported, in the spec's order
 * @param missing      target names the source should have had and did not
 * @param absent       target names this kind of source never has, with why (a backbone checkpoint's neck and head,
 *                     AlignDet's classifier): not failures
 * @param unexpected   source names that have no place in the spec, with why
 * @param mismatched   names present on both sides with different shapes
 * @param dropped      source names deliberately not imported, with why (batch counters, projector, momentum copy)
 * @param placeholders non-tensor objects the safe reader kept as inert placeholders: path → class
 */
public record ImportReport(String source, String format, String detail, boolean guessed, String layout, List<String> loaded,
                           List<String> missing, Map<String, String> absent, Map<String, String> unexpected,
                           List<Mismatch> mismatched, Map<String, String> dropped, Map<String, String> placeholders) {
    /** A name both sides have with different shapes. */
    public record Mismatch(String target, String sourceName, long[] sourceShape, long[] targetShape) {
        @Override
        public String toString() {
            return target + (target.equals(sourceName) ? "" : " (from " + sourceName + ")") + ": checkpoint "
                    + Arrays.toString(sourceShape) + ", spec " + Arrays.toString(targetShape);
        }
    }

    public ImportReport {
        loaded = List.copyOf(loaded);
        missing = List.copyOf(missing);
        mismatched = List.copyOf(mismatched);
        absent = Collections.unmodifiableMap(new LinkedHashMap<>(absent));
        unexpected = Collections.unmodifiableMap(new LinkedHashMap<>(unexpected));
        dropped = Collections.unmodifiableMap(new LinkedHashMap<>(dropped));
        placeholders = Collections.unmodifiableMap(new LinkedHashMap<>(placeholders));
    }

    /** Whether {@code --strict} accepts it: nothing missing, unexpected or mis-shaped. */
    public boolean clean() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    /** One line of counts. */
    public String summary() {
        return String.format("%d loaded, %d missing, %d unexpected, %d shape mismatches, %d dropped, %d not in this source, "
                + "%d placeholders", loaded.size(), missing.size(), unexpected.size(), mismatched.size(), dropped.size(),
                absent.size(), placeholders.size());
    }

    /** The whole report: counts, then every missing, unexpected and mismatched name, dropped and absent by reason. */
    public void print(PrintWriter out) {
        out.printf("format: %s%s (%s)%n", format, guessed ? " (detected from the key names)" : "", detail);
        out.printf("layout: the spec's %s parameters%n", layout);
        out.println(summary());
        list(out, "missing", missing.stream().map(k -> k + ": not in the checkpoint").toList());
        list(out, "unexpected", unexpected.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
        list(out, "shape mismatches", mismatched.stream().map(Mismatch::toString).toList());
        list(out, "dropped", byReason(dropped));
        list(out, "not in this source", byReason(absent));
        list(out, "placeholders (non-tensor objects kept inert, never executed)",
                placeholders.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
    }

    private static void list(PrintWriter out, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        out.println(title + ":");
        lines.forEach(l -> out.println("  " + l));
    }

    /** Names grouped by reason: "reason: N names (first, second, ...)". */
    private static List<String> byReason(Map<String, String> names) {
        Map<String, List<String>> by = new LinkedHashMap<>();
        names.forEach((k, why) -> by.computeIfAbsent(why, x -> new java.util.ArrayList<>()).add(k));
        return by.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().size() + " name(s) "
                + DetectorInit.head(e.getValue())).toList();
    }
}
