package org.aligndet.trainer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.aligndet.bridge.io.AtomicFiles;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.RecipeConfig;

/**
 * A run's resolved settings, {@code config.json} in its run folder and {@code meta.config} (the same
 * JSON as a string) in its checkpoints:
 * <pre>
 * {"stage": "finetune", "spec": NAME, "spec_file": ABSOLUTE PATH,
 *  "sources": {"config_file": PATH|null, "set": ["finetune.lr=0.005", ...], "cli": {"--lr": 0.02, ...}},
 *  "pretrain": {...}, "finetune": {...},     // the spec's sections after the config file and --set
 *  "run": {"epochs", "iters", "batch", "lr", "momentum", "weight_decay", "warmup_iters", "warmup_ratio",
 *          "steps", "grad_clip", "seed", "device", "auto_scale_lr", ...}}  // what the run trains with
 * </pre>
 * Precedence: the spec's recipe, then the config file, then {@code --set}, then explicit flags.
 */
public final class RunConfig {
    /** The file's name in the run folder. */
    public static final String FILE = "config.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunConfig() {
    }

    /**
     * The resolved settings of a run.
     *
     * @param stage    {@code pretrain} or {@code finetune}
     * @param spec     the spec with the config applied ({@link RecipeConfig#applyTo})
     * @param config   the config file and {@code --set} overrides
     * @param cliFlags the flags given explicitly on the command line, by option name
     * @param o        the run's options after everything was applied
     * @param extra    further settings of the stage that are not in {@link TrainOptions} (may be empty)
     */
    public static String describe(String stage, ModelSpec spec, RecipeConfig config, Map<String, Object> cliFlags, TrainOptions o,
                                  Map<String, Object> extra, boolean autoScaleLr) {
        ObjectNode root = JSON.createObjectNode();
        root.put("stage", stage);
        root.put("spec", spec.name());
        root.put("spec_file", spec.file().toAbsolutePath().normalize().toString());
        ObjectNode sources = root.putObject("sources");
        sources.put("config_file", config.file() == null ? null : config.file().toAbsolutePath().normalize().toString());
        ArrayNode sets = sources.putArray("set");
        config.sets().forEach(sets::add);
        sources.set("cli", JSON.valueToTree(cliFlags));
        root.set("pretrain", spec.section("pretrain"));
        root.set("finetune", spec.section("finetune"));
        ObjectNode run = root.putObject("run");
        run.put("epochs", o.epochs);
        run.put("iters", o.iters);
        run.put("batch", o.batch);
        run.put("lr", o.lr);
        run.put("momentum", o.momentum);
        run.put("weight_decay", o.weightDecay);
        run.put("warmup_iters", o.warmupIters);
        run.put("warmup_ratio", o.warmupRatio);
        ArrayNode steps = run.putArray("steps");
        for (int s : o.steps) {
            steps.add(s);
        }
        run.put("grad_clip", o.gradClip);
        run.put("seed", o.seed);
        run.put("device", o.device);
        run.put("auto_scale_lr", autoScaleLr);
        extra.forEach((k, v) -> run.set(k, JSON.valueToTree(v)));
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code o.config} to the run folder's {@link #FILE} atomically; nothing when there is none. */
    static void write(TrainOptions o) throws IOException {
        if (o.config != null) {
            AtomicFiles.write(o.out.resolve(FILE), (o.config + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Parses a {@code config.json} (or a checkpoint's {@code meta.config}). */
    public static JsonNode parse(String json, Path source) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": its config is not valid JSON: " + e.getMessage(), e);
        }
    }
}
