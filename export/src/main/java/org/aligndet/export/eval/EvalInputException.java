package org.aligndet.export.eval;

/**
 * Input that an evaluator cannot score: unknown image or category ids, NaN scores, negative box
 * sizes, an empty or malformed file. The message names the file and the offending entries.
 */
public class EvalInputException extends IllegalArgumentException {
    public EvalInputException(String message) {
        super(message);
    }

    public EvalInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
