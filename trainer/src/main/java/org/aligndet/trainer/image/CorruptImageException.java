package org.aligndet.trainer.image;

import java.nio.file.Path;

/**
 * An image file that cannot be read or decoded (missing, empty, not an image, truncated).
 * Loaders catch it, skip the image and report {@link #file()} with {@link #reason()}; a file that
 * does not exist has the reason {@link #MISSING}, so reports can tell missing from unreadable.
 */
public final class CorruptImageException extends RuntimeException {
    /** The reason of a file that does not exist. */
    public static final String MISSING = "missing";

    private final transient Path file;
    private final String reason;

    public CorruptImageException(Path file, String reason) {
        this(file, reason, null);
    }

    public CorruptImageException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    public String reason() {
        return reason;
    }

    /** Whether the file does not exist (rather than being unreadable). */
    public boolean missing() {
        return MISSING.equals(reason);
    }
}
