package org.aligndet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;
import org.aligndet.trainer.synth.SynthSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aligndet synth}: writes the synthetic shapes benchmark (see {@link SynthGenerator}). Bad
 * values are usage errors naming the option (exit code 2), as is an {@code --out} that already holds
 * generator output without {@code --overwrite}.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write the synthetic detection benchmark: multi-object scenes of 8 shape classes in COCO "
                + "and VOC layouts, plus optional object-centric crops. Byte-for-byte deterministic for a seed.",
            "Boxes bound each object's visible pixels; COCO area is the visible pixel count; VOC 'difficult' marks "
                + "objects less than half visible."},
        footer = {"%nExample:%n  aligndet synth --out data --images 200 --seed 7 --crops 4000",
            "%nExit codes: 0 written, 1 error, 2 usage (an --out holding generator output needs --overwrite)."})
public final class SynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
    Path out;

    @Option(names = "--images", required = true, paramLabel = "N", converter = Ranges.AtLeastOne.class,
            description = "scene images, train and val together, at least 1")
    int images;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--val-fraction", defaultValue = "" + SynthConfig.DEFAULT_VAL_FRACTION, paramLabel = "F",
            converter = Ranges.UnitInterval.class, description = "fraction of images in the val split, in [0, 1] (default: ${DEFAULT-VALUE})")
    double valFraction;

    @Option(names = "--size", defaultValue = "" + SynthConfig.DEFAULT_SIZE, paramLabel = "PX", converter = SceneSide.class,
            description = "nominal image side, " + SynthConfig.MIN_SIZE + ".." + SynthConfig.MAX_SIZE
                    + "; sides vary in [0.875, 1.25] x PX (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--crops", defaultValue = "0", paramLabel = "M", converter = Ranges.NonNegative.class,
            description = "object-centric crops to write under crops/<class>/ (default: ${DEFAULT-VALUE})")
    int crops;

    @Option(names = "--crop-size", defaultValue = "" + SynthConfig.DEFAULT_CROP_SIZE, paramLabel = "PX", converter = CropSide.class,
            description = "crop side, " + SynthConfig.MIN_CROP_SIZE + ".." + SynthConfig.MAX_CROP_SIZE + " (default: ${DEFAULT-VALUE})")
    int cropSize;

    @Mixin
    WorkerOptions workers;

    @Option(names = "--overwrite", description = "replace the generator's folders if DIR already holds them (default: off)")
    boolean overwrite;

    @Option(names = "--no-progress", description = "no progress bar (default: a progress bar)")
    boolean noProgress;

    /** {@code --size}: {@link SynthConfig}'s range. */
    static final class SceneSide implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return Ranges.between(value, SynthConfig.MIN_SIZE, SynthConfig.MAX_SIZE);
        }
    }

    /** {@code --crop-size}: {@link SynthConfig}'s range. */
    static final class CropSide implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return Ranges.between(value, SynthConfig.MIN_CROP_SIZE, SynthConfig.MAX_CROP_SIZE);
        }
    }

    @Override
    public Integer call() throws Exception {
        SynthConfig config = new SynthConfig(out, images, seed, valFraction, size, crops, cropSize,
                workers.count(), !noProgress, overwrite);
        SynthSummary summary;
        try {
            summary = SynthGenerator.generate(config);
        } catch (IllegalArgumentException e) { // --out holds generator output and --overwrite was not given
            throw new ParameterException(spec.commandLine(), "--out " + out.toAbsolutePath() + ": " + e.getMessage(), e);
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
