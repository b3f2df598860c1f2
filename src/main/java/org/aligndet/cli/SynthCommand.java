package org.aligndet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;
import org.aligndet.trainer.synth.SynthSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aligndet synth}: writes the synthetic shapes benchmark (see {@link SynthGenerator}). */
@Command(name = "synth",
        description = {"Write the synthetic detection benchmark: multi-object scenes of 8 shape classes in COCO "
                + "and VOC layouts, plus optional object-centric crops. Byte-for-byte deterministic for a seed.",
            "Boxes bound each object's visible pixels; COCO area is the visible pixel count; VOC 'difficult' marks "
                + "objects less than half visible."})
public final class SynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
    Path out;

    @Option(names = "--images", required = true, paramLabel = "N", description = "scene images, train and val together")
    int images;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--val-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "fraction of images in the val split (default: ${DEFAULT-VALUE})")
    double valFraction;

    @Option(names = "--size", defaultValue = "256", paramLabel = "PX",
            description = "nominal image side; sides vary in [0.875, 1.25] x PX (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--crops", defaultValue = "0", paramLabel = "M",
            description = "object-centric crops to write under crops/<class>/ (default: ${DEFAULT-VALUE})")
    int crops;

    @Option(names = "--crop-size", defaultValue = "96", paramLabel = "PX", description = "crop side (default: ${DEFAULT-VALUE})")
    int cropSize;

    @Option(names = "--threads", paramLabel = "T", description = "worker threads (default: all cores); output does not depend on it")
    Integer threads;

    @Option(names = "--overwrite", description = "replace the generator's folders if DIR already holds them")
    boolean overwrite;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        SynthConfig config;
        SynthSummary summary;
        try {
            config = new SynthConfig(out, images, seed, valFraction, size, crops, cropSize,
                    threads == null ? Runtime.getRuntime().availableProcessors() : threads, !noProgress, overwrite);
            summary = SynthGenerator.generate(config);
        } catch (IllegalArgumentException e) {
            err.println("synth: " + e.getMessage());
            err.flush();
            return 2;
        }
        print(spec.commandLine().getOut(), summary);
        return 0;
    }

    static void print(PrintWriter o, SynthSummary s) {
        o.printf("synth: wrote %d images (%d train, %d val) with %d objects%s to %s%n", s.trainImages() + s.valImages(),
                s.trainImages(), s.valImages(), s.objects(), s.crops() > 0 ? " and " + s.crops() + " crops" : "", s.out());
        o.println("  objects per class: " + s.objectsPerClass().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
        o.printf("  sizes (COCO area ranges): small %d, medium %d, large %d; VOC difficult %d%n", s.small(), s.medium(),
                s.large(), s.difficult());
        o.printf("  COCO: %s, %s (images in %s, %s)%n", s.trainAnnotations(), s.valAnnotations(),
                s.out().resolve("train"), s.out().resolve("val"));
        o.printf("  VOC:  %s (ImageSets/Main: train, val, trainval, test = val)%n", s.vocRoot());
        if (s.cropsDir() != null) {
            o.printf("  crops: %s/<class>/*.png%n", s.cropsDir());
        }
        o.flush();
    }
}
