package org.aligndet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.aligndet.export.onnx.ExportException;

/**
 * The one format of {@code --classes} ({@code export}, {@code predict}, {@code finetune},
 * {@code eval}): a file, either a JSON list of names ({@code .json}) or one name per line (blank
 * lines skipped), or the names themselves separated by commas ({@code cat,dog,person}). A value
 * that names an existing file is read as one; a single name is a list of one; a value that looks
 * like a path (a separator, or {@code .json}/{@code .txt}) but names no file is an error.
 */
final class ClassNames {
    /** The wording every {@code --classes} description shares. */
    static final String FORMAT = "a file (a JSON list, or one name per line) or a comma-separated list a,b,c";

    private ClassNames() {
    }

    /**
     * The names, or null when {@code value} is null.
     *
     * @throws ExportException for a directory, an unreadable or malformed file, an empty list or an empty name
     */
    static List<String> parse(String value) {
        if (value == null) {
            return null;
        }
        Path file = asFile(value);
        List<String> out = file != null ? read(file) : Arrays.stream(value.split(",", -1)).map(String::strip).toList();
        if (out.isEmpty() || out.stream().anyMatch(String::isEmpty)) {
            throw new ExportException("--classes " + (file != null ? file.toAbsolutePath() : "'" + value + "'")
                    + ": " + (out.isEmpty() ? "no class names in it" : "an empty class name"));
        }
        return out;
    }

    /** The file {@code value} names, or null when it names none (then it is a list of names). */
    private static Path asFile(String value) {
        try {
            Path p = Path.of(value);
            if (Files.isDirectory(p)) {
                throw new ExportException("--classes " + p.toAbsolutePath() + ": is a directory; give a file of class names or a,b,c");
            }
            if (Files.isRegularFile(p)) {
                return p;
            }
            if (!value.contains(",") && value.matches(".*[/\\\\].*|.*\\.(json|txt)")) {
                throw new ExportException("--classes " + p.toAbsolutePath() + ": no such file (for a list of names, separate them with commas)");
            }
            return null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static List<String> read(Path file) {
        try {
            List<String> out = new ArrayList<>();
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
                JsonNode a = new ObjectMapper().readTree(file.toFile());
                if (a == null || !a.isArray()) {
                    throw new ExportException(file.toAbsolutePath() + ": expected a JSON list of class names");
                }
                a.forEach(n -> out.add(n.asText().strip()));
            } else {
                Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
            }
            return out;
        } catch (IOException e) {
            throw new ExportException(file.toAbsolutePath() + ": cannot read class names: " + e.getMessage(), e);
        }
    }
}
