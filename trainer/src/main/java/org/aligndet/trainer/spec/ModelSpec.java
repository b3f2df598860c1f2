package org.aligndet.trainer.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A detector spec, {@code model-specs/NAME.json} (spec_version 1): family, backbone, neck, head,
 * anchors or points, strides, classes, input normalisation, and the default recipes. Validated on
 * load; errors name the file and the key.
 */
public final class ModelSpec {
    public static final int VERSION = 1;

    private final Path file;
    private final JsonNode root;
    private final String name;
    private final Family family;
    private final int numClasses;
    private final List<Integer> strides;

    private ModelSpec(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
        int version = req("spec_version").asInt(-1);
        if (version != VERSION) {
            throw new SpecException(file + ": spec_version " + req("spec_version") + " is not supported (expected " + VERSION + ")");
        }
        this.name = req("name").asText();
        try {
            this.family = Family.parse(req("family").asText());
        } catch (IllegalArgumentException e) {
            throw new SpecException(file + ": unknown family '" + root.get("family").asText() + "'");
        }
        this.numClasses = req("num_classes").asInt();
        if (numClasses <= 0) {
            throw new SpecException(file + ": num_classes must be positive, got " + numClasses);
        }
        JsonNode s = family == Family.RETINANET ? req("head", "anchor", "strides") : req("head", "strides");
        List<Integer> st = new ArrayList<>();
        s.forEach(n -> st.add(n.asInt()));
        this.strides = List.copyOf(st);
        req("input", "mean");
        req("input", "std");
    }

    public static ModelSpec load(Path file) {
        try {
            return new ModelSpec(file, new ObjectMapper().readTree(file.toFile()));
        } catch (NoSuchFileException e) {
            throw new SpecException(file + ": no such spec file");
        } catch (IOException e) {
            throw new SpecException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }

    private JsonNode req(String... path) {
        JsonNode n = root;
        StringBuilder key = new StringBuilder();
        for (String p : path) {
            key.append(key.length() == 0 ? "" : ".").append(p);
            n = n.get(p);
            if (n == null || n.isNull()) {
                throw new SpecException(file + ": missing key '" + key + "'");
            }
        }
        return n;
    }

    public Path file() {
        return file;
    }

    public String name() {
        return name;
    }

    public Family family() {
        return family;
    }

    public int numClasses() {
        return numClasses;
    }

    public String description() {
        return root.path("description").asText("");
    }

    /** Pyramid strides, finest first. */
    public List<Integer> strides() {
        return strides;
    }

    public int numLevels() {
        return strides.size();
    }

    /** Anchors per location: scales_per_octave x ratios for RetinaNet, 1 for point-based heads. */
    public int anchorsPerLocation() {
        if (family != Family.RETINANET) {
            return 1;
        }
        return req("head", "anchor", "scales_per_octave").asInt() * req("head", "anchor", "ratios").size();
    }

    public float[] mean() {
        return floats(req("input", "mean"));
    }

    public float[] std() {
        return floats(req("input", "std"));
    }

    public int padDivisor() {
        return root.path("input").path("pad_divisor").asInt(32);
    }

    /** (long side, short side) of the inference resize. */
    public int[] imgScale() {
        JsonNode s = req("input", "img_scale");
        return new int[] {s.get(0).asInt(), s.get(1).asInt()};
    }

    /** Output channels of the neck, which every head level sees. */
    public int neckChannels() {
        return req("neck", "out_channels").asInt();
    }

    public int headChannels() {
        return req("head", "feat_channels").asInt();
    }

    /** The raw JSON of a section ("backbone", "neck", "head", "test", ...), for components that need more. */
    public JsonNode section(String key) {
        return req(key);
    }

    public Recipe pretrainRecipe() {
        return recipe("pretrain");
    }

    public Recipe finetuneRecipe() {
        return recipe("finetune");
    }

    private Recipe recipe(String key) {
        JsonNode r = req(key);
        List<Integer> steps = new ArrayList<>();
        r.path("steps").forEach(n -> steps.add(n.asInt()));
        try {
            return new Recipe(req(key, "epochs").asInt(), req(key, "batch").asInt(), req(key, "lr").asDouble(),
                    r.path("momentum").asDouble(0.9), r.path("weight_decay").asDouble(1e-4),
                    r.path("warmup_iters").asInt(500), r.path("warmup_ratio").asDouble(0.001), steps);
        } catch (IllegalArgumentException e) {
            throw new SpecException(file + ": " + key + ": " + e.getMessage());
        }
    }

    private static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) a.get(i).asDouble();
        }
        return v;
    }

    @Override
    public String toString() {
        return name + " (" + family.id() + ", " + numClasses + " classes, strides " + strides + ")";
    }
}
