package org.aligndet.cli;

import java.nio.file.Path;
import java.util.List;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.export.predict.ModelSource;
import org.aligndet.export.predict.OnnxPredictor;
import picocli.CommandLine.Option;

/** Options shared by the commands that run a model through ONNX Runtime ({@code predict}, {@code eval --model}). */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "MODEL", description = "an exported .onnx, or a checkpoint (then --spec is needed and it is exported in memory)")
    Path model;

    @Option(names = "--spec", paramLabel = "NAME", description = "the spec of a checkpoint given as --model")
    String specName;

    @Option(names = "--batch", defaultValue = "1", description = "images per ONNX Runtime call (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--cpu", description = "use the CPU even when the CUDA provider loads")
    boolean cpu;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    /** Opens the predictor; {@code classes} names the classes of a checkpoint whose meta has none (may be null). */
    OnnxPredictor open(List<String> classes) {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        return ModelSource.open(model, specName, classes, cpu ? OrtSessions.CPU : 0);
    }
}
