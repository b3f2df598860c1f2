package org.aligndet.bridge.checkpoint;

import java.io.IOException;

/**
 * A checkpoint file could not be read because it is malformed, truncated, hostile (a pickle that
 * asks for a callable outside the whitelist, an unsafe zip entry name, a storage larger than its
 * data) or in a format this package does not read. The message always starts with the file name
 * and names the problem. Throwing it never leaves anything executed or extracted.
 */
public class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointFormatException(String message) {
        super(message);
    }

    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
