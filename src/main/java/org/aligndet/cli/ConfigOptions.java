package org.aligndet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.run.RunConfig;
import org.aligndet.trainer.run.TrainOptions;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.RecipeConfig;
import org.aligndet.trainer.spec.SpecException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Settings over the spec's recipe, as mmdetection's configs: {@code --config FILE}, repeated
 * {@code --set SECTION.KEY=VALUE}, {@code --auto-scale-lr}. Precedence: the spec's recipe, the config
 * file, {@code --set}, then the explicit flags ({@code --lr}, {@code --batch}, ...).
 */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "settings over the spec's recipe: a JSON file, or YAML ending in .yaml/.yml, with 'pretrain' and/or "
                    + "'finetune' sections of recipe keys (default: none)")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "override one recipe key after --config, repeatable, e.g. finetune.lr=0.005, pretrain.temperature=0.3, "
                    + "finetune.steps=[8,11] (default: none)")
    List<String> sets = new ArrayList<>();

    @Option(names = "--auto-scale-lr",
            description = "scale the learning rate linearly with --batch: lr x batch / recipe batch (default: off; a different "
                    + "--batch without it only warns)")
    boolean autoScaleLr;

    /** The config file and the {@code --set}s, in order; a bad file or key is a usage error naming it. */
    RecipeConfig recipeConfig(CommandSpec command) {
        try {
            RecipeConfig c = RecipeConfig.none();
            if (config != null) {
                c = c.withFile(config);
            }
            for (String s : sets) {
                c = c.withSet(s);
            }
            return c;
        } catch (SpecException e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
    }

    /**
     * After the explicit flags were applied to {@code o}: the learning rate scaled with
     * {@code --auto-scale-lr} (or a warning when {@code --batch} differs from the recipe's without it),
     * then the resolved settings into {@code o.config}.
     *
     * @param recipeBatch the batch of the recipe the run follows (the spec's, after --config and --set)
     * @param extra       the stage's settings beyond {@link TrainOptions}
     */
    void finish(CommandSpec command, String stage, ModelSpec spec, RecipeConfig rc, TrainingOptions training, TrainOptions o,
                int recipeBatch, Map<String, Object> extra) {
        PrintWriter err = command.commandLine().getErr();
        if (autoScaleLr && training.lr != null) {
            throw new ParameterException(command.commandLine(), "--auto-scale-lr scales the recipe's learning rate, --lr "
                    + training.lr + " sets it: give one");
        }
        if (autoScaleLr && o.batch != recipeBatch) {
            double before = o.lr;
            o.lr = before * o.batch / recipeBatch;
            err.printf("aligndet: --auto-scale-lr: lr %s x %d / %d = %s (--batch %d, the %s recipe's batch %d)%n", before, o.batch,
                    recipeBatch, o.lr, o.batch, stage, recipeBatch);
        } else if (!autoScaleLr && o.batch != recipeBatch) {
            err.printf("aligndet: warning: --batch %d is not the %s recipe's batch %d, and the learning rate %s is not scaled to "
                    + "it: add --auto-scale-lr for lr x %d / %d (the linear scaling rule)%n", o.batch, stage, recipeBatch, o.lr,
                    o.batch, recipeBatch);
        }
        err.flush();
        o.config = RunConfig.describe(stage, spec, rc, explicitFlags(command), o, extra, autoScaleLr);
    }

    /** The options given on the command line but the config's own, with their values. */
    private static Map<String, Object> explicitFlags(CommandSpec command) {
        Map<String, Object> out = new LinkedHashMap<>();
        CommandLine.ParseResult parsed = command.commandLine().getParseResult();
        for (OptionSpec opt : parsed.matchedOptions()) {
            String name = opt.longestName();
            if (name.equals("--config") || name.equals("--set")) {
                continue;
            }
            Object v = opt.getValue();
            out.put(name, v instanceof Number || v instanceof Boolean || v == null ? v
                    : v instanceof int[] a ? java.util.Arrays.stream(a).boxed().toList() : String.valueOf(v));
        }
        return out;
    }
}
