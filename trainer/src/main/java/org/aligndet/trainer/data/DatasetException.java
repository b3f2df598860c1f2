package org.aligndet.trainer.data;

/**
 * A dataset file that cannot be read as what it claims to be. The message names the file and,
 * where there is one, the line and column, the annotation id or the image.
 */
public class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
