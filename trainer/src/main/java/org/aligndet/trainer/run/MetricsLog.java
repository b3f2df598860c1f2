package org.aligndet.trainer.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics as JSON lines, one object per logged iteration, flushed as written. Re-opening an
 * existing file for a resumed run drops lines past the resume iteration, so the file always
 * describes one run.
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final BufferedWriter out;

    public MetricsLog(Path file, long resumeIteration) throws IOException {
        this.file = file;
        if (Files.exists(file) && resumeIteration >= 0) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && JSON.readTree(line).path("iter").asLong(Long.MAX_VALUE) <= resumeIteration) {
                    kept.add(line);
                }
            }
            Files.write(file, kept, StandardCharsets.UTF_8);
        } else {
            Files.deleteIfExists(file);
        }
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public Path file() {
        return file;
    }

    public void log(Map<String, ?> row) {
        try {
            out.write(JSON.writeValueAsString(row));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot append metrics", e);
        }
    }

    /** Every row of a metrics file, numbers as doubles. */
    public static List<Map<String, Double>> read(Path file) throws IOException {
        List<Map<String, Double>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Double> r = new LinkedHashMap<>();
            JSON.readTree(line).fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) {
                    r.put(e.getKey(), e.getValue().asDouble());
                }
            });
            rows.add(r);
        }
        return rows;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
