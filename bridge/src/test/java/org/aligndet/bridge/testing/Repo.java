package org.aligndet.bridge.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of the repository from tests: {@code aligndet.root} (set by surefire) or the first parent holding model-specs/. */
public final class Repo {
    private Repo() {
    }

    public static Path root() {
        String p = System.getProperty("aligndet.root");
        if (p != null && Files.isDirectory(Path.of(p, "model-specs"))) {
            return Path.of(p);
        }
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.isDirectory(d.resolve("model-specs"))) {
            d = d.getParent();
        }
        if (d == null) {
            throw new IllegalStateException("cannot find the repository root (no model-specs/ above " + Path.of("").toAbsolutePath() + ")");
        }
        return d;
    }

    public static Path resolve(String relative) {
        return root().resolve(relative);
    }
}
