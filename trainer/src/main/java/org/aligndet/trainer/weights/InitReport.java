package org.aligndet.trainer.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.io.AtomicFiles;

/**
 * How the detector was initialised before fine-tuning, name by name.
 *
 * @param mode    {@code pretrained} ({@code --init}), {@code backbone} ({@code --backbone}) or {@code graph}
 *                (neither: the graph's own weights)
 * @param source  the checkpoint read, or {@code ""}
 * @param loaded  graph parameters copied from the checkpoint, in graph order
 * @param fresh   graph parameters not loaded, with why and how they start
 *                ({@code "re-initialised: N(0, 0.01), bias = focal prior"}, {@code "graph initialisation"})
 * @param skipped checkpoint entries not used, with why ({@code "projector (pre-training only)"}, ...)
 */
public record InitReport(String mode, String source, List<String> loaded, Map<String, String> fresh,
                         Map<String, String> skipped) {
    public InitReport {
        loaded = List.copyOf(loaded);
        fresh = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fresh));
        skipped = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    }

    /** One line: counts and the fresh names when few. */
    public String summary() {
        String f = fresh.size() <= 4 ? " " + fresh.keySet() : "";
        return String.format("init (%s%s): %d loaded, %d fresh%s, %d skipped", mode,
                source.isEmpty() ? "" : " from " + source, loaded.size(), fresh.size(), f, skipped.size());
    }

    /** Writes the report as JSON ({@code mode, source, counts, loaded, fresh, skipped}), atomically. */
    public void write(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("source", source);
        m.put("counts", Map.of("loaded", loaded.size(), "fresh", fresh.size(), "skipped", skipped.size()));
        m.put("loaded", loaded);
        m.put("fresh", fresh);
        m.put("skipped", skipped);
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(m);
        AtomicFiles.write(file, json);
    }
}
