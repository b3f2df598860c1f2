package org.aligndet.trainer.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Settings over a spec's recipes, as mmdetection's configs: a config file ({@code --config}, JSON,
 * or YAML when it ends in {@code .yaml}/{@code .yml}) holding {@code pretrain} and/or
 * {@code finetune} sections with the spec's recipe keys, then {@code --set SECTION.KEY=VALUE}
 * overrides on top (a value is read as JSON when it parses, {@code [8, 11]}, {@code 0.005},
 * otherwise as a string). Unknown sections and keys, and values of the wrong kind, are errors naming
 * the key and the valid ones. Immutable: each step returns a new config.
 */
public final class RecipeConfig {
    /** What a key's value must be. */
    enum Kind {
        NUMBER("a number"), WHOLE("a whole number"), WHOLE_LIST("a list of whole numbers"), TEXT("a string"), LIST("a list");

        final String what;

        Kind(String what) {
            this.what = what;
        }

        boolean accepts(JsonNode v) {
            return switch (this) {
                case NUMBER -> v.isNumber();
                case WHOLE -> v.isIntegralNumber() || v.isNumber() && v.asDouble() == Math.rint(v.asDouble());
                case WHOLE_LIST -> v.isArray() && allWhole(v);
                case TEXT -> v.isTextual();
                case LIST -> v.isArray() && v.size() == 2;
            };
        }

        private static boolean allWhole(JsonNode a) {
            for (JsonNode n : a) {
                if (!n.isIntegralNumber()) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final Map<String, Kind> RECIPE = recipeKeys();
    /** The keys each section takes (SCHEMA.md, "pretrain and finetune"). */
    static final Map<String, Map<String, Kind>> KEYS = Map.of("pretrain", pretrainKeys(), "finetune", RECIPE);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final List<String> sets;
    private final Map<String, ObjectNode> overrides;

    private RecipeConfig(Path file, List<String> sets, Map<String, ObjectNode> overrides) {
        this.file = file;
        this.sets = List.copyOf(sets);
        this.overrides = overrides;
    }

    /** No overrides. */
    public static RecipeConfig none() {
        return new RecipeConfig(null, List.of(), new TreeMap<>());
    }

    private static Map<String, Kind> recipeKeys() {
        Map<String, Kind> k = new TreeMap<>();
        k.put("epochs", Kind.WHOLE);
        k.put("batch", Kind.WHOLE);
        k.put("lr", Kind.NUMBER);
        k.put("momentum", Kind.NUMBER);
        k.put("weight_decay", Kind.NUMBER);
        k.put("warmup_iters", Kind.WHOLE);
        k.put("warmup_ratio", Kind.NUMBER);
        k.put("steps", Kind.WHOLE_LIST);
        k.put("grad_clip", Kind.NUMBER);
        k.put("img_scale", Kind.LIST);
        return k;
    }

    private static Map<String, Kind> pretrainKeys() {
        Map<String, Kind> k = new TreeMap<>(recipeKeys());
        k.put("ema_momentum", Kind.NUMBER);
        k.put("temperature", Kind.NUMBER);
        k.put("projector_dim", Kind.WHOLE);
        k.put("sample_boxes", Kind.WHOLE);
        k.put("sample_pos_fraction", Kind.NUMBER);
        k.put("loss_bbox", Kind.TEXT);
        return k;
    }

    /** Every key {@code --set} and a config file take, {@code SECTION.KEY}, sorted. */
    public static List<String> validKeys() {
        List<String> out = new ArrayList<>();
        new TreeMap<>(KEYS).forEach((section, keys) -> keys.keySet().forEach(k -> out.add(section + "." + k)));
        return out;
    }

    /** The config file, or null. */
    public Path file() {
        return file;
    }

    /** The {@code --set} assignments, as given. */
    public List<String> sets() {
        return sets;
    }

    /** Whether nothing is overridden. */
    public boolean isEmpty() {
        return overrides.isEmpty();
    }

    /** The overridden keys per section (copies). */
    public Map<String, ObjectNode> overrides() {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        overrides.forEach((k, v) -> out.put(k, v.deepCopy()));
        return out;
    }

    /**
     * This config with a config file's sections over it.
     *
     * @throws SpecException naming the file: unreadable, not JSON/YAML, not a mapping of sections, an
     *                       unknown section or key, a value of the wrong kind
     */
    public RecipeConfig withFile(Path configFile) {
        JsonNode root = read(configFile);
        if (!root.isObject()) {
            throw new SpecException(configFile + ": a config holds a mapping of sections (pretrain, finetune), not " + describe(root));
        }
        Map<String, ObjectNode> next = copy();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> section = it.next();
            Map<String, Kind> keys = KEYS.get(section.getKey());
            if (keys == null) {
                throw new SpecException(configFile + ": unknown section '" + section.getKey() + "' (valid: "
                        + String.join(", ", new TreeMap<>(KEYS).keySet()) + ")");
            }
            if (!section.getValue().isObject()) {
                throw new SpecException(configFile + ": section '" + section.getKey() + "' must be a mapping of keys, not "
                        + describe(section.getValue()));
            }
            Iterator<Map.Entry<String, JsonNode>> kv = section.getValue().fields();
            while (kv.hasNext()) {
                Map.Entry<String, JsonNode> e = kv.next();
                String key = section.getKey() + "." + e.getKey();
                JsonNode value = check(configFile + ": ", key, e.getValue());
                next.computeIfAbsent(section.getKey(), s -> JSON.createObjectNode()).set(e.getKey(), value);
            }
        }
        return new RecipeConfig(configFile, sets, next);
    }

    /**
     * This config with one {@code SECTION.KEY=VALUE} over it.
     *
     * @throws SpecException naming the assignment: no {@code =}, an unknown key (the valid ones listed),
     *                       a value of the wrong kind
     */
    public RecipeConfig withSet(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new SpecException("--set " + assignment + ": expected KEY=VALUE, e.g. finetune.lr=0.005");
        }
        String key = assignment.substring(0, eq).trim();
        String text = assignment.substring(eq + 1).trim();
        JsonNode value;
        try {
            value = JSON.readTree(text);
            if (value == null || value.isMissingNode()) {
                value = TextNode.valueOf(text);
            }
        } catch (JsonProcessingException e) {
            value = TextNode.valueOf(text);
        }
        value = check("--set " + assignment + ": ", key, value);
        int dot = key.indexOf('.');
        Map<String, ObjectNode> next = copy();
        next.computeIfAbsent(key.substring(0, dot), s -> JSON.createObjectNode()).set(key.substring(dot + 1), value);
        List<String> all = new ArrayList<>(sets);
        all.add(key + "=" + text);
        return new RecipeConfig(file, all, next);
    }

    /**
     * The spec with these overrides; the result is checked like a spec file.
     *
     * @throws SpecException naming the config's sources when a value is out of range
     */
    public ModelSpec applyTo(ModelSpec spec) {
        if (overrides.isEmpty()) {
            return spec;
        }
        try {
            return spec.withSections(overrides);
        } catch (SpecException e) {
            throw new SpecException(e.getMessage() + " (with the settings of " + sources() + ")", e);
        }
    }

    /** Where the overrides come from, for messages. */
    public String sources() {
        List<String> s = new ArrayList<>();
        if (file != null) {
            s.add("--config " + file);
        }
        sets.forEach(a -> s.add("--set " + a));
        return s.isEmpty() ? "the spec alone" : String.join(", ", s);
    }

    /** The value, checked against the key's kind; a number written as text (YAML 1.1 reads {@code 1e-3} so) becomes one. */
    private static JsonNode check(String where, String key, JsonNode given) {
        int dot = key.indexOf('.');
        Map<String, Kind> keys = dot < 0 ? null : KEYS.get(key.substring(0, dot));
        Kind kind = keys == null ? null : keys.get(key.substring(dot + 1));
        if (kind == null) {
            throw new SpecException(where + "unknown key '" + key + "' (valid: " + String.join(", ", validKeys()) + ")");
        }
        JsonNode value = given;
        if ((kind == Kind.NUMBER || kind == Kind.WHOLE) && given.isTextual()) {
            try {
                value = DoubleNode.valueOf(Double.parseDouble(given.asText().trim()));
            } catch (NumberFormatException e) {
                value = given;
            }
        }
        if (!kind.accepts(value)) {
            throw new SpecException(where + key + " takes " + kind.what + (kind == Kind.LIST ? " of two items" : "") + ", got "
                    + describe(value));
        }
        return value;
    }

    private Map<String, ObjectNode> copy() {
        Map<String, ObjectNode> next = new TreeMap<>();
        overrides.forEach((k, v) -> next.put(k, v.deepCopy()));
        return next;
    }

    private static String describe(JsonNode v) {
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static JsonNode read(Path f) {
        String name = f.getFileName() == null ? "" : f.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        if (!Files.isRegularFile(f)) {
            throw new SpecException(f + ": no such config file" + (Files.isDirectory(f) ? " (a directory)" : ""));
        }
        try (Reader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            if (!yaml) {
                JsonNode n = JSON.readTree(in);
                if (n == null || n.isMissingNode()) {
                    throw new SpecException(f + ": empty config file");
                }
                return n;
            }
            Object data = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            if (data == null) {
                throw new SpecException(f + ": empty config file");
            }
            return JSON.valueToTree(data);
        } catch (JsonProcessingException e) {
            throw new SpecException(f + ": not valid JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + "; a YAML config must end in .yaml or .yml)", e);
        } catch (YAMLException e) {
            throw new SpecException(f + ": not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        } catch (IOException e) {
            throw new SpecException(f + ": cannot read the config: " + e.getMessage(), e);
        }
    }
}
