package org.aligndet.export.onnx;

/** An export that cannot be done as asked; the message names the file and what is wrong. */
public final class ExportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExportException(String message) {
        super(message);
    }

    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
