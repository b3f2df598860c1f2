package org.aligndet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.export.onnx.ExportException;

/** {@code --classes FILE}: a JSON list of names ({@code .json}), or a text file with one name per line (blank lines skipped). */
final class ClassNames {
    private ClassNames() {
    }

    /** The names, or null when {@code file} is null. */
    static List<String> read(Path file) {
        if (file == null) {
            return null;
        }
        try {
            List<String> out = new ArrayList<>();
            if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json")) {
                JsonNode a = new ObjectMapper().readTree(file.toFile());
                if (a == null || !a.isArray()) {
                    throw new ExportException(file + ": expected a JSON list of class names");
                }
                a.forEach(n -> out.add(n.asText()));
            } else {
                Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
            }
            if (out.isEmpty()) {
                throw new ExportException(file + ": no class names in it");
            }
            return out;
        } catch (IOException e) {
            throw new ExportException(file + ": cannot read class names: " + e.getMessage(), e);
        }
    }
}
