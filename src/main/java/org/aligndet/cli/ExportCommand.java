package org.aligndet.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.export.onnx.DeployFiles;
import org.aligndet.export.onnx.ExportMetadata;
import org.aligndet.export.onnx.OnnxExporter;
import org.aligndet.export.onnx.TrainedCheckpoint;
import org.aligndet.trainer.spec.ModelSpecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aligndet export}: a trained checkpoint into the spec's ONNX inference template (weights
 * filled by name, metadata written), and optionally into its TorchScript graph. Exit codes: 0
 * written; 1 the checkpoint does not fit the spec (every offending name listed) or a file cannot be
 * read or written; 2 usage (an output that is also an input included).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a checkpoint to ONNX (the spec's inference template with the trained weights and metadata: "
                + "classes, pre- and post-processing, box format and frame, provenance, checkpoint sha256), optionally to TorchScript "
                + "and mmdeploy-style deploy.json/pipeline.json. The spec defaults to the one the checkpoint's meta names.",
        footer = {"%nExample:%n  aligndet export --checkpoint runs/ft/best.pth --spec retinanet_tiny --out model.onnx \\%n"
                + "      --torchscript model.ts",
            "%nExit codes: 0 written, 1 the checkpoint does not fit the spec (every offending name listed) or a file cannot be "
                + "read or written, 2 usage."})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "CKPT", required = true, description = "a checkpoint written by pretrain/finetune, or mmdetection's")
    Path checkpoint;

    @Option(names = "--spec", paramLabel = "NAME|FILE.json", description = SpecRefs.FROM_CHECKPOINT)
    String specName;

    @Option(names = "--out", paramLabel = "MODEL.onnx", required = true, description = "the ONNX file to write")
    Path out;

    @Option(names = "--torchscript", paramLabel = "MODEL.ts", description = "also write the TorchScript graph with these weights (default: none)")
    Path torchscript;

    @Option(names = "--classes", paramLabel = "NAMES", description = "class names in label order: " + ClassNames.FORMAT
            + " (default: the checkpoint meta's)")
    String classes;

    @Option(names = "--deploy-files", description = "also write mmdeploy-style deploy.json and pipeline.json beside --out "
            + "(default: off)")
    boolean deployFiles;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        new OutputPaths(spec).in("--checkpoint", checkpoint).in("--classes", classes).out("--out", this.out)
                .out("--torchscript", torchscript)
                .out("--deploy-files", deployFiles ? this.out.toAbsolutePath().resolveSibling("deploy.json") : null)
                .out("--deploy-files", deployFiles ? this.out.toAbsolutePath().resolveSibling("pipeline.json") : null).check();
        TrainedCheckpoint ckpt = TrainedCheckpoint.read(checkpoint);
        String specName = this.specName != null ? this.specName : ckpt.specRef();
        if (specName == null) {
            throw new ParameterException(spec.commandLine(), "--checkpoint " + checkpoint + ": its meta names no spec: give --spec");
        }
        OnnxExporter exporter = OnnxExporter.forSpec(ModelSpecs.locate(), specName);
        OnnxModel model = exporter.exportTo(ckpt, ClassNames.parse(classes), this.out);
        ExportMetadata meta = ExportMetadata.fromProps(model.metadata(), this.out.toString());
        out.printf("exported %d weights of %s (%s) -> %s%n", model.initializers().size(), specName, checkpoint, this.out);
        out.printf("  classes: %s%n  checkpoint sha256: %s%n  provenance: aligndet pre-trained %s, stage %s, %s iterations%n",
                meta.classes(), meta.checkpointSha256(),
                meta.provenance().alignDetPretrained() == null ? "unknown" : meta.provenance().alignDetPretrained(),
                meta.provenance().stage() == null ? "unknown" : meta.provenance().stage(),
                meta.provenance().iterations() == null ? "unknown" : meta.provenance().iterations());
        if (deployFiles) {
            out.printf("mmdeploy-style descriptions -> %s%n", DeployFiles.write(this.out, meta));
        }
        if (torchscript != null) {
            exporter.exportTorchScript(ckpt, torchscript);
            out.printf("TorchScript -> %s%n", torchscript);
        }
        out.flush();
        return 0;
    }
}
