package org.aligndet.cli;

import java.nio.file.Path;
import java.util.List;
import org.aligndet.export.predict.ModelSource;
import org.aligndet.export.predict.OnnxPredictor;
import org.aligndet.export.predict.PredictionRun;
import org.aligndet.trainer.image.ImageLimits;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the commands that run a model through ONNX Runtime ({@code predict}, {@code eval --model}). */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "MODEL",
            description = "an exported .onnx, or a checkpoint (then --spec is needed and it is exported in memory) (default: none)")
    Path model;

    @Option(names = "--spec", paramLabel = "NAME|FILE.json", description = "the spec of a checkpoint given as --model, a name of "
            + "model-specs/ or a spec file FILE.json (default: the one the checkpoint's meta names)")
    String specName;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", converter = Ranges.AtLeastOne.class,
            description = "images per ONNX Runtime call (default: ${DEFAULT-VALUE})")
    int batch;

    @Mixin
    OrtDeviceOptions device;

    @Option(names = "--no-progress", description = "no progress bar (default: a progress bar)")
    boolean noProgress;

    /** Opens the predictor; {@code classes} names the classes of a checkpoint whose meta has none (may be null). */
    OnnxPredictor open(List<String> classes) {
        return ModelSource.open(model, specName, classes, device.cudaDevice());
    }

    /** How the images go through the model: batch, progress bar, {@code limits}. */
    PredictionRun.Settings settings(ImageLimits limits) {
        return new PredictionRun.Settings(batch, !noProgress, limits);
    }
}
