package org.aligndet.trainer.loader;

import java.nio.file.Path;

/** An image left out because its file could not be read: which one and why. */
public record SkippedImage(int datasetIndex, Path file, String reason) {
}
