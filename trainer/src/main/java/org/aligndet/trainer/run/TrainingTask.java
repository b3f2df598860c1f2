package org.aligndet.trainer.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.loader.SampleTransform;
import org.aligndet.trainer.loss.LossTerms;

/**
 * One training stage as the {@link TrainingLoop} drives it: what it trains on, how a batch becomes
 * named loss terms, what the optimiser updates, what happens after each step, and what goes into and
 * comes back from a checkpoint. Everything else (epochs, resume, signals, the divergence guard,
 * metrics, progress, checkpoints, the loss curve) is the loop's.
 */
public interface TrainingTask {
    /** The stage's name: log prefix, {@code meta.stage} of its checkpoints ({@code pretrain}, {@code finetune}, ...). */
    String stage();

    /** Title of the loss curve. */
    String title();

    /** The training images; the loader shuffles them per epoch. */
    List<ImageRecord> records();

    /** How one record becomes a sample (augmented views). */
    SampleTransform transform();

    /** The manager the task's tensors live in; the loop opens a sub-manager per step. */
    NDManager manager();

    /** The tensors the optimiser updates, by name, in a stable order. */
    Map<String, NDArray> trainable();

    /**
     * One batch forward, inside the loop's gradient collector: the loss terms (the loss is their sum).
     *
     * @param scope     a manager freed after the step
     * @param iteration 0-based global iteration
     * @param logged    scalars to log beside the losses (e.g. positives), filled by the task
     */
    LossTerms forward(Batch batch, NDManager scope, long iteration, Map<String, Double> logged);

    /** After the optimiser step (the momentum detector's EMA update lives here). */
    default void afterStep(long iteration) {
    }

    /** Schedules beside the learning rate at this iteration, for the metrics and the progress line (e.g. the EMA momentum). */
    default Map<String, Double> schedules(long iteration) {
        return Map.of();
    }

    /** Whether to run {@link #evaluate} after this (1-based) iteration of {@code total}. */
    default boolean evaluationDue(long iteration, long total) {
        return false;
    }

    /** Scores the model after {@code iteration} iterations: metrics logged with {@code mode: val}. */
    default Map<String, Double> evaluate(long iteration) throws IOException {
        return Map.of();
    }

    /** Scalars to log at the end of an epoch with {@code mode: epoch} (e.g. held-out accuracy). */
    default Map<String, Double> endOfEpoch(int epoch) throws IOException {
        return Map.of();
    }

    /** The task's entries of a checkpoint's {@code meta} (spec, recipe, data, best score, ...). */
    Map<String, Object> meta();

    /** The task's entries of a resumable checkpoint ({@code state_dict}, projector, momentum detector, ...). */
    void save(Map<String, Object> root);

    /** Restores what {@link #save} wrote; {@code file} for errors. The loop restores its own parts. */
    void restore(Map<String, Object> root, Path file);

    /** The run finished (not stopped by a signal) after {@code iterations}: write the stage's results. */
    void finish(long iterations) throws IOException;

    /** What to check when the loss is not finite, ending the divergence message ("the proposals", "the annotations"). */
    default String inputsToCheck() {
        return "the data";
    }
}
