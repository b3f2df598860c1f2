package org.aligndet.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.aligndet.trainer.backbone.BackboneOptions;
import org.aligndet.trainer.backbone.BackbonePretrainer;
import org.aligndet.trainer.spec.ModelSpecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The image-domain stage: classification of object crops with the detector's backbone. */
@Command(name = "backbone", mixinStandardHelpOptions = true,
        description = {"Image-domain stage for specs without an importable backbone: supervised classification of object "
                + "crops (one folder per class) with the detector's own backbone. Writes the backbone's weights for "
                + "'pretrain --backbone' and 'finetune --backbone'; checkpoints, metrics and the loss curve go to --run-dir."},
        footer = {"%nExample:%n  aligndet synth --out data --images 200 --crops 4000%n"
                + "  aligndet backbone --spec retinanet_tiny --crops data/crops --out tiny_backbone.pth",
            "%nExit codes: 0 done, 1 error, 2 usage."})
final class BackboneCommand implements Callable<Integer> {
    @Option(names = "--spec", required = true, paramLabel = "NAME|FILE.json", description = "the spec whose backbone is trained; "
            + SpecRefs.DESCRIPTION)
    String spec;

    @Option(names = "--crops", required = true, paramLabel = "DIR", description = "one sub-folder of images per class")
    Path crops;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "backbone checkpoint to write (.pth)")
    Path out;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "checkpoints, metrics and loss curve (default: FILE's name with .run)")
    Path runDir;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PX", converter = Ranges.AtLeastOne.class, description = "crop side in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Mixin
    TrainingOptions training;

    @Mixin
    RuntimeOptions runtime;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws Exception {
        Path run = runDir != null ? runDir : out.resolveSibling(out.getFileName().toString().replaceFirst("\\.pth?$", "") + ".run");
        new OutputPaths(command).in("--crops", crops).out("--out", out).out("--run-dir", run).check();
        ModelSpecs specs = ModelSpecs.locate();
        BackboneOptions o = new BackboneOptions();
        o.spec = specs.load(spec);
        o.graph = specs.graph(spec);
        o.crops = crops;
        o.checkpoint = out;
        o.out = run;
        o.size = size;
        training.applyTo(o);
        runtime.applyTo(o);
        BackbonePretrainer.Result r = new BackbonePretrainer(o, System.err).run();
        double top1 = r.valAccuracy().isEmpty() ? Double.NaN : r.valAccuracy().get(r.valAccuracy().size() - 1);
        System.out.printf("backbone %s: %d classes, %d train / %d held-out crops; held-out top-1 %.3f after %d epochs -> %s%n",
                spec, r.classes(), r.trainImages(), r.valImages(), top1, r.valAccuracy().size(), r.checkpoint());
        return 0;
    }
}
