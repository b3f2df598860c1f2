package org.aligndet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.onnx.OnnxModel;
import org.aligndet.export.onnx.DeployFiles;
import org.aligndet.export.onnx.ExportException;
import org.aligndet.export.onnx.ExportMetadata;
import org.aligndet.export.onnx.OnnxExporter;
import org.aligndet.export.onnx.TrainedCheckpoint;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.weights.WeightExporter;
import org.aligndet.trainer.weights.WeightImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aligndet export}: a trained checkpoint into the spec's ONNX inference template (weights
 * filled by name, metadata written), optionally into its TorchScript graph, and for Python users into
 * mmdetection's and torchvision's checkpoint layouts ({@link WeightExporter}; names a layout cannot hold
 * are printed by name). Exit codes: 0 written; 1 the checkpoint does not fit the spec (every offending
 * name listed) or a file cannot be read or written; 2 usage (no output, or an output that is also an
 * input, included).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a checkpoint to ONNX (the spec's inference template with the trained weights and metadata: "
                + "classes, pre- and post-processing, box format and frame, provenance, checkpoint sha256), optionally to TorchScript "
                + "and mmdeploy-style deploy.json/pipeline.json; or, instead or besides, to an mmdetection checkpoint "
                + "(--mmdet) or a torchvision RetinaNet/FCOS state dict (--torchvision) for Python users, every name the layout "
                + "cannot hold printed by name. The spec defaults to the one the checkpoint's meta names.",
        footer = {"%nExample:%n  aligndet export --checkpoint runs/ft/best.pth --spec retinanet_tiny --out model.onnx \\%n"
                + "      --torchscript model.ts --mmdet model_mmdet.pth --torchvision model_tv.pth",
            "%nExit codes: 0 written, 1 the checkpoint does not fit the spec (every offending name listed) or a file cannot be "
                + "read or written, 2 usage."})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "CKPT", required = true, description = "a checkpoint written by pretrain/finetune, or mmdetection's")
    Path checkpoint;

    @Option(names = "--spec", paramLabel = "NAME|FILE.json", description = SpecRefs.FROM_CHECKPOINT)
    String specName;

    @Option(names = "--out", paramLabel = "MODEL.onnx", description = "the ONNX file to write (default: none; at least one "
            + "of --out, --mmdet, --torchvision is required)")
    Path out;

    @Option(names = "--mmdet", paramLabel = "OUT.pth", description = "also write an mmdetection checkpoint: {'state_dict', "
            + "'meta': {CLASSES, dataset_meta.classes, aligndet: provenance}} (default: none)")
    Path mmdet;

    @Option(names = "--torchvision", paramLabel = "OUT.pth", description = "also write a torchvision RetinaNet/FCOS state dict "
            + "{'model': ...}, anchors in torchvision's order; what its layout cannot hold is printed by name (default: none)")
    Path torchvision;

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
        if (this.out == null && mmdet == null && torchvision == null) {
            throw new ParameterException(spec.commandLine(), "nothing to write: give --out, --mmdet or --torchvision");
        }
        if (this.out == null && deployFiles) {
            throw new ParameterException(spec.commandLine(), "--deploy-files describes the ONNX model: it needs --out");
        }
        new OutputPaths(spec).in("--checkpoint", checkpoint).in("--classes", classes).out("--out", this.out)
                .out("--torchscript", torchscript).out("--mmdet", mmdet).out("--torchvision", torchvision)
                .out("--deploy-files", deployFiles ? this.out.toAbsolutePath().resolveSibling("deploy.json") : null)
                .out("--deploy-files", deployFiles ? this.out.toAbsolutePath().resolveSibling("pipeline.json") : null).check();
        TrainedCheckpoint ckpt = TrainedCheckpoint.read(checkpoint);
        String specName = this.specName != null ? this.specName : ckpt.specRef();
        if (specName == null) {
            throw new ParameterException(spec.commandLine(), "--checkpoint " + checkpoint + ": its meta names no spec: give --spec");
        }
        OnnxExporter exporter = OnnxExporter.forSpec(ModelSpecs.locate(), specName);
        if (this.out != null) {
            exportOnnx(exporter, ckpt, specName, out);
        } else if (torchscript != null) {
            exporter.exportTorchScript(ckpt, torchscript);
            out.printf("TorchScript -> %s%n", torchscript);
        }
        for (WeightExporter.Target t : WeightExporter.Target.values()) {
            Path file = t == WeightExporter.Target.MMDET ? mmdet : torchvision;
            if (file != null) {
                exportLayout(t, file, exporter.spec(), specName, ckpt, out);
            }
        }
        out.flush();
        return 0;
    }

    private void exportOnnx(OnnxExporter exporter, TrainedCheckpoint ckpt, String specName, PrintWriter out) {
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
    }

    private void exportLayout(WeightExporter.Target target, Path file, ModelSpec model, String specName, TrainedCheckpoint ckpt,
                              PrintWriter out) {
        List<String> names = classes != null ? ClassNames.parse(classes) : ckpt.classes();
        if (names != null && names.size() != model.numClasses()) {
            throw new ExportException(checkpoint + ": " + names.size() + " class names " + names + " for spec " + model.name()
                    + ", which has num_classes " + model.numClasses());
        }
        WeightExporter.Exported e;
        try {
            e = WeightExporter.export(ckpt.stateDict(), target, model, WeightImporter.layouts(ModelSpecs.locate(), specName));
        } catch (IllegalArgumentException ex) {
            throw new ExportException("--" + target.cliName() + " " + file + ": " + ex.getMessage(), ex);
        }
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("exported_by", "aligndet export");
        provenance.put("spec", model.name());
        provenance.put("checkpoint", String.valueOf(ckpt.file().getFileName()));
        provenance.put("checkpoint_sha256", ckpt.sha256());
        for (String k : new String[] {"stage", "recipe", "iter", "aligndet_pretrained"}) {
            if (ckpt.meta().get(k) != null) {
                provenance.put(k, ckpt.meta().get(k));
            }
        }
        try {
            TorchCheckpoint.write(file, target == WeightExporter.Target.MMDET ? WeightExporter.mmdetCheckpoint(e, names, provenance)
                    : WeightExporter.torchvisionCheckpoint(e, provenance));
        } catch (IOException | java.io.UncheckedIOException ex) {
            throw new ExportException(file + ": cannot write: " + ex.getMessage(), ex);
        }
        out.printf("%s -> %s%n", target == WeightExporter.Target.MMDET ? "mmdetection checkpoint" : "torchvision state dict", file);
        if (target == WeightExporter.Target.MMDET) {
            out.printf("  classes: %s%n", names == null ? "unknown (not in the checkpoint's meta; give --classes)" : names);
        }
        e.print(out);
    }
}
