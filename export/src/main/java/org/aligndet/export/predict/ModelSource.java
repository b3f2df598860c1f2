package org.aligndet.export.predict;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.export.onnx.ExportException;
import org.aligndet.export.onnx.OnnxExporter;
import org.aligndet.export.onnx.TrainedCheckpoint;
import org.aligndet.trainer.spec.ModelSpecs;

/**
 * What {@code --model} may name: an exported {@code .onnx}, or a torch checkpoint (a zip file),
 * which is then exported in memory first and needs the spec it was trained with.
 */
public final class ModelSource {
    private ModelSource() {
    }

    /** Whether the file is a zip archive (a torch checkpoint) rather than an ONNX protobuf. */
    public static boolean isCheckpoint(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 'P' && in.read() == 'K';
        } catch (IOException e) {
            throw new ExportException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a predictor on {@code model}.
     *
     * @param spec       the spec (name or spec file) of a checkpoint; null takes the one its meta names; ignored for ONNX
     * @param classes    class names for a checkpoint whose meta has none; may be null
     * @param cudaDevice CUDA device to try, or {@link org.aligndet.bridge.onnx.OrtSessions#CPU}
     * @throws ExportException for a checkpoint without a spec, or one that does not fit it
     */
    public static OnnxPredictor open(Path model, String spec, List<String> classes, int cudaDevice) {
        if (!Files.isRegularFile(model)) {
            throw new ExportException(model + (Files.isDirectory(model) ? ": is a directory, not a model file" : ": no such model file"));
        }
        if (!isCheckpoint(model)) {
            return OnnxPredictor.open(model, cudaDevice);
        }
        TrainedCheckpoint ckpt = TrainedCheckpoint.read(model);
        String ref = spec != null ? spec : ckpt.specRef();
        if (ref == null) {
            throw new ExportException(model + " is a checkpoint: give its --spec to export it first, its meta names none "
                    + "(or pass an exported .onnx)");
        }
        OnnxModel exported = OnnxExporter.forSpec(ModelSpecs.locate(), ref).export(ckpt, classes);
        return OnnxPredictor.open(exported, cudaDevice);
    }
}
