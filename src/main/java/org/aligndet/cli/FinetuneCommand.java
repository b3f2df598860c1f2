package org.aligndet.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aligndet.export.eval.CocoValidator;
import org.aligndet.trainer.data.VocReader;
import org.aligndet.trainer.finetune.FinetuneOptions;
import org.aligndet.trainer.finetune.Finetuner;
import org.aligndet.trainer.finetune.Validator;
import org.aligndet.trainer.infer.Preprocessor;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.spec.RecipeConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Supervised fine-tuning of a dense detector, from an AlignDet pre-trained detector or a backbone. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Supervised fine-tuning (RetinaNet: focal + L1; FCOS: focal + IoU + centre-ness) on COCO or VOC, "
                + "with periodic COCO-AP validation, best/last checkpoints and resume.",
            "--init PRETRAINED loads every pre-trained weight but the projector (classifier fresh, focal prior bias); "
                + "--backbone CKPT is the baseline (backbone only). Recipe defaults come from the spec's 'finetune' "
                + "section; --recipe aligndet applies lr x 1.5 and weight decay x 0.5."},
        footer = {"%nExample:%n  aligndet finetune --spec retinanet_tiny --train data/annotations/instances_train.json \\%n"
                + "      --images data/train --val data/annotations/instances_val.json --val-images data/val \\%n"
                + "      --init runs/pre/pretrained.pth --out runs/ft --iters 800",
            "%nExit codes: 0 done (or stopped by a signal: --resume continues), 1 error, 2 usage."})
final class FinetuneCommand implements Callable<Integer> {
    @Option(names = "--spec", required = true, paramLabel = "NAME|FILE.json", description = SpecRefs.DESCRIPTION) String spec;
    @Option(names = "--train", required = true, paramLabel = "COCO_ANN|VOC_DIR",
            description = "COCO instances file, or a VOC year directory (VOCdevkit/VOC2007)") Path train;
    @Option(names = "--images", paramLabel = "DIR", description = "COCO image folder of --train (default: none; needed for a COCO --train)") Path images;
    @Option(names = "--split", defaultValue = "trainval", description = "VOC split of --train (default: ${DEFAULT-VALUE})") String split;
    @Option(names = "--classes", paramLabel = "NAMES", description = "VOC class names: " + ClassNames.FORMAT + " (default: the 20 VOC classes)") String classes;
    @Option(names = "--val", paramLabel = "COCO_ANN|VOC_DIR", description = "validation set: its COCO AP is logged and picks best.pth (default: none)") Path val;
    @Option(names = "--val-images", paramLabel = "DIR", description = "COCO image folder of --val (default: none; needed for a COCO --val)") Path valImages;
    @Option(names = "--val-split", defaultValue = "test", description = "VOC split of --val (default: ${DEFAULT-VALUE})") String valSplit;
    @Option(names = "--val-every", paramLabel = "N", defaultValue = "0", converter = Ranges.NonNegative.class,
            description = "validate every N iterations; 0: at the end only (default: ${DEFAULT-VALUE})") int valEvery;
    @Option(names = "--val-batch", paramLabel = "N", defaultValue = "4", converter = Ranges.AtLeastOne.class,
            description = "images per validation batch (default: ${DEFAULT-VALUE})") int valBatch;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory") Path out;
    @Option(names = "--init", paramLabel = "CKPT", description = "pre-trained detector from 'aligndet pretrain' (AlignDet initialisation) (default: none)") Path init;
    @Option(names = "--fresh-regression", description = "with --init: restart the final regression layers too, as AlignDet's weight extraction does by default (default: keep them, as the paper)") boolean freshRegression;
    @Option(names = "--backbone", paramLabel = "CKPT", description = "backbone weights only: the baseline (default: none)") Path backbone;
    @Option(names = "--recipe", description = "aligndet (lr x 1.5, wd x 0.5) or baseline; default: aligndet with --init, else baseline") String recipe;
    @Option(names = "--fraction", paramLabel = "F", defaultValue = "1", converter = Ranges.Fraction.class,
            description = "low-data fraction of the training images in (0, 1], e.g. 0.01, 0.05, 0.1, 0.2 (default: 1, all)") double fraction;
    @Option(names = "--fold", paramLabel = "K", defaultValue = "1", converter = Ranges.AtLeastOne.class,
            description = "low-data fold, from 1 (default: ${DEFAULT-VALUE})") int fold;
    @Option(names = "--scale", split = ",", paramLabel = "LONG,SHORT", converter = Ranges.AtLeastOne.class,
            description = "training and validation resize (default: the recipe's img_scale)") int[] scale;
    @Option(names = "--frozen-stages", paramLabel = "N", defaultValue = "1", converter = Ranges.AtLeastMinusOne.class,
            description = "backbone stages frozen after the stem; -1 freezes nothing, mmdetection: 1 (default: ${DEFAULT-VALUE})") int frozenStages;

    @Mixin
    TrainingOptions training;

    @Mixin
    ConfigOptions settings;

    @Mixin
    RuntimeOptions runtime;

    @Spec
    CommandSpec command;

    private CommandLine spec() {
        return command.commandLine();
    }

    @Override
    public Integer call() throws Exception {
        new OutputPaths(command).in("--train", train).in("--images", images).in("--classes", classes).in("--val", val)
                .in("--val-images", valImages).in("--init", init).in("--backbone", backbone).out("--out", out).check();
        ModelSpecs specs = ModelSpecs.locate();
        RecipeConfig rc = settings.recipeConfig(command);
        ModelSpec s = rc.applyTo(specs.load(spec));
        String r = recipe != null ? recipe : init != null ? FinetuneOptions.ALIGNDET : FinetuneOptions.BASELINE;
        FinetuneOptions o = FinetuneOptions.fromSpec(s, specs.graph(spec), r);
        o.train = train;
        o.images = images;
        o.split = split;
        o.vocClasses = ClassNames.parse(classes);
        if (!Files.isDirectory(train) && images == null) {
            throw new ParameterException(spec(), "--train " + train.toAbsolutePath() + " is a COCO file: --images DIR is needed");
        }
        o.out = out;
        o.init = init;
        o.backbone = backbone;
        o.freshRegression = freshRegression;
        o.fraction = fraction;
        o.fold = fold;
        training.applyTo(o);
        runtime.applyTo(o);
        if (scale != null) {
            if (scale.length != 2) {
                throw new ParameterException(spec(), "--scale takes LONG,SHORT, got " + scale.length + " numbers");
            }
            o.longSide = scale[0];
            o.shortSide = scale[1];
        }
        o.frozenStages = frozenStages;
        o.valEvery = valEvery;
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("recipe", o.recipe);
        extra.put("img_scale", List.of(o.longSide, o.shortSide));
        extra.put("frozen_stages", o.frozenStages);
        extra.put("fraction", o.fraction);
        extra.put("fold", o.fold);
        settings.finish(command, "finetune", s, rc, training, o, s.finetuneRecipe().batch(), extra);
        Finetuner.Result res = new Finetuner(o, validator(o), System.err).run();
        PrintStream stdout = System.out;
        stdout.printf("finetune %s (%s): %d/%d iterations on %d images%s%n", spec, o.recipe, res.iterations(), res.totalIterations(),
                res.trainImages(), res.stopped() ? " (stopped; --resume continues)" : "");
        stdout.printf("  %s%n", res.init().summary());
        stdout.printf("  first losses %s%n  last losses  %s%n", PretrainCommand.fmt(res.firstLosses()), PretrainCommand.fmt(res.lastLosses()));
        if (res.lastValidation() != null) {
            stdout.printf("  validation %s; best %s %.4f: %s%n", res.lastValidation().metrics(), res.lastValidation().primary(),
                    res.bestScore(), res.best());
        }
        if (res.last() != null) {
            stdout.printf("  fine-tuned detector: %s%n", res.last());
        }
        stdout.printf("  checkpoint %s, metrics %s, loss curve %s, init report %s%n", res.lastCheckpoint(), res.metrics(), res.curve(),
                out.resolve("init_report.json"));
        if (res.skippedImages() > 0) {
            stdout.printf("  %d images skipped, missing or unreadable (listed above)%n", res.skippedImages());
        }
        return 0;
    }

    private Validator validator(FinetuneOptions o) {
        if (val == null) {
            return null;
        }
        Preprocessor pre = Preprocessor.of(o.spec).withScale(o.longSide, o.shortSide);
        if (Files.isDirectory(val)) {
            List<String> names = o.vocClasses == null ? VocReader.VOC_CLASSES : o.vocClasses;
            return CocoValidator.of(VocReader.read(val, valSplit, names), pre, valBatch);
        }
        if (valImages == null) {
            throw new ParameterException(spec(), "--val " + val.toAbsolutePath() + " is a COCO file: --val-images DIR is needed");
        }
        return CocoValidator.coco(val, valImages, pre, valBatch);
    }
}
