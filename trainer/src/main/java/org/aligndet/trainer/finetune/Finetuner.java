package org.aligndet.trainer.finetune;

import ai.djl.Device;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.trainer.run.TrainingLoop;
import org.aligndet.trainer.weights.InitReport;

/**
 * Supervised fine-tuning of a dense detector ({@link FinetuneTask} driven by the {@link TrainingLoop}).
 *
 * <p>Run folder: the loop's {@code checkpoints/iter_*.pth}, {@code metrics.jsonl} and
 * {@code loss_curve.png}; {@code best.pth}, {@code last.pth}, {@code init_report.json},
 * {@code subset.json}.
 */
public final class Finetuner {
    private final FinetuneOptions o;
    private final Validator validator;
    private final PrintStream log;

    /** @param validator scores the detector; {@code null}: no validation, no {@code best.pth} */
    public Finetuner(FinetuneOptions options, Validator validator, PrintStream log) {
        this.o = options;
        this.validator = validator;
        this.log = log;
    }

    /** What a finished (or stopped) run did; {@code best} and {@code bestScore} are null/NaN without validation. */
    public record Result(long iterations, long totalIterations, boolean stopped, Path lastCheckpoint, Path last,
                         Path best, double bestScore, ValidationResult lastValidation, Path metrics, Path curve,
                         InitReport init, Map<String, Double> firstLosses, Map<String, Double> lastLosses,
                         int trainImages, int skippedImages) {
    }

    public Result run() throws IOException {
        FinetuneOptions.checkRecipe(o.recipe);
        if (o.init != null && o.backbone != null) {
            throw new IllegalArgumentException("give --init (pre-trained detector) or --backbone (baseline), not both");
        }
        Device device = TrainingLoop.prepare(o, log);
        TrainingSet data = TrainingSet.read(o);
        log.printf("finetune: %s on %s, %s recipe, %d training images (%s)%n", o.spec.name(), Devices.describe(device),
                o.recipe, data.images().size(), o.fraction < 1 ? "fraction " + o.fraction + ", fold " + o.fold + " of "
                        + data.available() : "all with objects; " + data.withoutGt() + " without left out");
        data.writeSubset(o.out.resolve("subset.json"), o);
        try (FinetuneTask task = new FinetuneTask(o, data, validator, device, log)) {
            TrainingLoop.Result r = new TrainingLoop(o, log).run(task);
            Path last = r.stopped() ? null : o.out.resolve("last.pth");
            return new Result(r.iterations(), r.totalIterations(), r.stopped(), r.lastCheckpoint(), last, task.bestPath,
                    task.bestScore, task.lastValidation, r.metrics(), r.curve(), task.init(), r.firstLosses(), r.lastLosses(),
                    data.images().size(), r.skippedImages());
        }
    }
}
