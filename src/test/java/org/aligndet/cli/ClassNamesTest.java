package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.export.onnx.ExportException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one {@code --classes} format: a file (JSON list, or one per line) or a comma-separated list. */
class ClassNamesTest {
    @TempDir
    Path dir;

    @Test
    void filesAndListsGiveTheSameNames() throws IOException {
        List<String> want = List.of("cat", "dog", "traffic light");
        assertEquals(want, ClassNames.parse(Files.writeString(dir.resolve("c.json"), "[\"cat\", \"dog\", \"traffic light\"]").toString()));
        assertEquals(want, ClassNames.parse(Files.writeString(dir.resolve("c.txt"), "cat\n\ndog\ntraffic light\n").toString()));
        assertEquals(want, ClassNames.parse("cat, dog,traffic light"));
        assertEquals(List.of("dog"), ClassNames.parse("dog"));
        assertNull(ClassNames.parse(null));
    }

    @Test
    void badValuesSayWhat() {
        ExportException d = assertThrows(ExportException.class, () -> ClassNames.parse(dir.toString()));
        assertTrue(d.getMessage().contains(dir.toAbsolutePath() + ": is a directory"), d.getMessage());
        ExportException m = assertThrows(ExportException.class, () -> ClassNames.parse(dir.resolve("absent.json").toString()));
        assertTrue(m.getMessage().contains("absent.json: no such file"), m.getMessage());
        ExportException e = assertThrows(ExportException.class, () -> ClassNames.parse("cat,,dog"));
        assertTrue(e.getMessage().contains("an empty class name"), e.getMessage());
    }
}
