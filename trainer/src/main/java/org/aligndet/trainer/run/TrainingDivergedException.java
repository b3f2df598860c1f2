package org.aligndet.trainer.run;

/** The loss became NaN or infinite: the run stops, and the last good checkpoint stays as it was. */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
