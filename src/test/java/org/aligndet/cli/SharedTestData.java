package org.aligndet.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finds {@code ../shared/testdata} beside the repository root ({@code aligndet.root}, else the
 * nearest folder above the working directory with {@code model-specs/}); a missing folder fails.
 */
final class SharedTestData {
    private SharedTestData() {
    }

    static Path dir(String name) {
        Path root = repoRoot();
        Path dir = root.resolve("../shared/testdata").resolve(name).normalize();
        if (!Files.isDirectory(dir)) {
            fail("golden test data missing: " + dir + " (expected ../shared/testdata/" + name + " beside the repository root " + root + ")");
        }
        return dir;
    }

    private static Path repoRoot() {
        String prop = System.getProperty("aligndet.root");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop, "model-specs"))) {
            return Path.of(prop).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("model-specs"))) {
                return p;
            }
        }
        return fail("cannot find the repository root: set -Daligndet.root or run inside the repository");
    }
}
