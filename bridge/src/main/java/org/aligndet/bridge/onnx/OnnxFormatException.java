package org.aligndet.bridge.onnx;

/**
 * An ONNX model that cannot be used as asked: the file is missing or unreadable, is not an ONNX
 * protobuf, holds data this project does not handle, or lacks an expected input, output or
 * initializer. Messages always start with the file (or in-memory source name) they concern.
 */
public class OnnxFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source  the file path or in-memory source name the problem concerns
     * @param message what is wrong, without the source (it is prefixed here)
     */
    public OnnxFormatException(String source, String message) {
        super(source + ": " + message);
        this.source = source;
    }

    public OnnxFormatException(String source, String message, Throwable cause) {
        super(source + ": " + message, cause);
        this.source = source;
    }

    /** The file path or source name the message names. */
    public String source() {
        return source;
    }
}
