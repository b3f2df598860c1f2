package org.aligndet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.weights.ImportReport;
import org.aligndet.trainer.weights.WeightFormat;
import org.aligndet.trainer.weights.WeightImporter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aligndet import}: a checkpoint of mmdetection, torchvision, AlignDet or MoCo into this project's
 * checkpoint format for a spec, with a report of what mapped. The mapping is the one {@code --init} and
 * {@code --backbone} use.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a checkpoint of mmdetection (2.x/3.x), torchvision, AlignDet or MoCo for a spec: names mapped "
                + "by the format's table, non-tensor objects kept as inert placeholders, a report of loaded, missing, "
                + "unexpected and mis-shaped names; writes a checkpoint that finetune --init, export and check read.",
        footer = {"%nExample:%n  aligndet import --from retinanet_r50_fpn_1x_coco.pth --spec retinanet_r50_fpn --out r50.pth",
            "%nExit codes: 0 written, 1 unreadable file, weights for another spec, or --strict and a name missing, unexpected "
                + "or mis-shaped, 2 usage."})
final class ImportCommand implements Callable<Integer> {
    @Option(names = "--from", paramLabel = "FILE", required = true, description = "the checkpoint to import (.pth/.pt, torch's zip format)")
    Path from;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto", converter = FormatConverter.class,
            description = "auto, mmdet, torchvision, aligndet or moco; auto detects it from the key names and says so "
                    + "(default: ${DEFAULT-VALUE})")
    WeightFormat format;

    @Option(names = "--spec", paramLabel = "NAME", required = true, description = "the spec the weights are for, e.g. retinanet_r50_fpn")
    String specName;

    @Option(names = "--out", paramLabel = "CKPT", required = true, description = "the checkpoint to write (atomically)")
    Path out;

    @Option(names = "--strict", description = "fail when any name is missing, unexpected or mis-shaped (default: report them and write what loaded)")
    boolean strict;

    @Option(names = "--momentum", description = "import the momentum copy (AlignDet target_backbone.*, MoCo encoder_k.*) "
            + "instead of the online one (default: the online one)")
    boolean momentum;

    @Spec
    CommandSpec spec;

    /** {@code --format} values; an unknown one is a usage error. */
    static final class FormatConverter implements CommandLine.ITypeConverter<WeightFormat> {
        @Override
        public WeightFormat convert(String value) {
            try {
                return WeightFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        new OutputPaths(spec).in("--from", from).out("--out", out).check();
        PrintWriter o = spec.commandLine().getOut();
        ModelSpecs specs = ModelSpecs.locate();
        var model = specs.load(specName);
        var layouts = WeightImporter.layouts(specs, specName);
        WeightImporter.Mapped mapped = WeightImporter.map(from, format, momentum);
        if (mapped.guessed()) {
            o.printf("%s: detected format %s (%s)%n", from, mapped.format().cliName(), mapped.table().description());
        }
        ImportReport report = WeightImporter.compare(mapped, specName, layouts);
        report.print(o);
        o.flush();
        if (strict && !report.clean()) {
            throw new IllegalArgumentException(from + ": --strict: " + strictProblems(report));
        }
        TorchCheckpoint.write(out, WeightImporter.checkpoint(mapped, report, specName, momentum));
        o.printf("wrote %s (%d tensors for %s, %s layout)%n", out, report.loaded().size(), specName, report.layout());
        o.flush();
        return 0;
    }

    private static String strictProblems(ImportReport r) {
        StringBuilder b = new StringBuilder();
        if (!r.mismatched().isEmpty()) {
            b.append(r.mismatched().size()).append(" shape mismatch(es): ")
                    .append(String.join("; ", r.mismatched().stream().limit(4).map(Object::toString).toList()));
        }
        if (!r.missing().isEmpty()) {
            b.append(b.isEmpty() ? "" : "; ").append(r.missing().size()).append(" missing: ")
                    .append(org.aligndet.trainer.weights.DetectorInit.head(r.missing()));
        }
        if (!r.unexpected().isEmpty()) {
            b.append(b.isEmpty() ? "" : "; ").append(r.unexpected().size()).append(" unexpected: ")
                    .append(org.aligndet.trainer.weights.DetectorInit.head(new java.util.ArrayList<>(r.unexpected().keySet())));
        }
        return b.toString();
    }
}
