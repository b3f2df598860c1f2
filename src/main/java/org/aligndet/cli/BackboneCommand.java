package org.aligndet.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.aligndet.trainer.backbone.BackbonePretrainer;
import org.aligndet.trainer.spec.ModelSpecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The image-domain stage on object-centric crops, for specs without an importable backbone. */
@Command(name = "backbone", mixinStandardHelpOptions = true,
        description = {"Image-domain stage: train the spec's backbone to classify object-centric crops (one folder per class, "
                + "e.g. 'aligndet synth --crops N'), for specs that have no pre-trained backbone to import.",
            "The output holds backbone.* weights for 'pretrain --backbone' and 'finetune --backbone'."})
final class BackboneCommand implements Callable<Integer> {
    @Option(names = "--spec", required = true) String spec;
    @Option(names = "--crops", required = true, paramLabel = "DIR", description = "one sub-folder of images per class") Path crops;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "checkpoint to write (.pth)") Path out;
    @Option(names = "--epochs", defaultValue = "12") int epochs;
    @Option(names = "--batch", defaultValue = "32") int batch;
    @Option(names = "--size", defaultValue = "64", description = "crop side in pixels (default: ${DEFAULT-VALUE})") int size;
    @Option(names = "--lr", defaultValue = "0.05") double lr;
    @Option(names = "--device", defaultValue = "auto") String device;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--workers", description = "data loader threads (default: cores - 1)") Integer workers;

    @Override
    public Integer call() throws Exception {
        ModelSpecs specs = ModelSpecs.locate();
        BackbonePretrainer.Options o = new BackbonePretrainer.Options();
        o.spec = specs.load(spec);
        o.graph = specs.graph(spec);
        o.crops = crops;
        o.out = out;
        o.epochs = epochs;
        o.batch = batch;
        o.size = size;
        o.lr = lr;
        o.device = device;
        o.seed = seed;
        if (workers != null) {
            o.workers = workers;
        }
        BackbonePretrainer.Result r = new BackbonePretrainer(o, System.err).run();
        System.out.printf("backbone %s: %d classes, %d train / %d held-out crops; held-out top-1 %.3f after %d epochs -> %s%n",
                spec, r.classes(), r.trainImages(), r.valImages(), r.valAccuracy().get(r.valAccuracy().size() - 1), epochs, r.checkpoint());
        return 0;
    }
}
