package org.aligndet.trainer.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A detector spec, {@code model-specs/NAME.json} (spec_version 1): family, backbone, neck, head,
 * anchors or points, strides, classes, input normalisation, and the default recipes. Every key is
 * read here, once, with one documented default ({@code model-specs/SCHEMA.md}); a missing required
 * key or a value out of range is an error naming the file and the key, raised when the spec loads.
 */
public final class ModelSpec {
    public static final int VERSION = 1;

    private final Path file;
    private final JsonNode root;
    private final String name;
    private final Family family;
    private final int numClasses;
    private final List<Integer> strides;
    private final AnchorSpec anchors;
    private final PointHeadSpec pointHead;
    private final BoxCoderSpec coder;
    private final PretrainSpec pretrain;
    private final FinetuneSpec finetune;
    private final TwoStageSpec twoStage;

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
        boolean twoStaged = family.twoStage();
        req(twoStaged ? "rpn_head" : "head");
        req("input", "mean");
        req("input", "std");
        this.anchors = twoStaged ? readRpnAnchors() : family.anchorBased() ? readAnchors() : null;
        this.pointHead = family.pointBased() ? readPointHead() : null;
        this.strides = List.copyOf(ints(twoStaged ? req("rpn_head", "anchor", "strides")
                : family.anchorBased() ? req("head", "anchor", "strides") : req("head", "strides")));
        this.twoStage = twoStaged ? readTwoStage() : null;
        this.coder = readCoder();
        this.pretrain = readPretrain();
        this.finetune = readFinetune();
    }

    /**
     * This spec with some keys of its {@code pretrain} and {@code finetune} sections replaced (checked
     * like the file's own, when the copy is built).
     *
     * @param sections per section, the keys to replace and their values
     */
    public ModelSpec withSections(Map<String, ? extends JsonNode> sections) {
        ObjectNode copy = root.deepCopy();
        sections.forEach((section, values) -> {
            if (!copy.path(section).isObject()) {
                throw new SpecException(file + ": has no '" + section + "' section to override");
            }
            ((ObjectNode) copy.get(section)).setAll((ObjectNode) values);
        });
        return new ModelSpec(file, copy);
    }

    /** A copy of a section of the spec ({@code pretrain}, {@code finetune}, ...), or an empty object. */
    public ObjectNode section(String key) {
        JsonNode n = root.get(key);
        return n instanceof ObjectNode o ? o.deepCopy() : JsonNodeFactory.instance.objectNode();
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

    private AnchorSpec readAnchors() {
        JsonNode a = root.path("head").path("anchor");
        double[] ratios = a.has("ratios") ? doubles(a.get("ratios")) : new double[] {0.5, 1.0, 2.0};
        return checked("head.anchor", () -> new AnchorSpec(a.path("octave_base_scale").asDouble(4),
                a.path("scales_per_octave").asInt(3), ratios, toArray(ints(req("head", "anchor", "strides"))),
                a.path("center_offset").asDouble(0)));
    }

    /** The RPN's anchors ({@code rpn_head.anchor}): one scale per level, mmdetection's {@code scales=[8]}. */
    private AnchorSpec readRpnAnchors() {
        JsonNode a = root.path("rpn_head").path("anchor");
        double[] ratios = a.has("ratios") ? doubles(a.get("ratios")) : new double[] {0.5, 1.0, 2.0};
        double[] scales = a.has("scales") ? doubles(a.get("scales")) : new double[] {8};
        if (scales.length != 1) {
            throw new SpecException(file + ": rpn_head.anchor.scales: one scale per level is supported, got " + scales.length);
        }
        return checked("rpn_head.anchor", () -> new AnchorSpec(scales[0], 1, ratios, toArray(ints(req("rpn_head", "anchor", "strides"))),
                a.path("center_offset").asDouble(0)));
    }

    private TwoStageSpec readTwoStage() {
        JsonNode rpn = root.path("rpn_head");
        JsonNode roi = req("roi_head");
        JsonNode coder = roi.path("bbox_coder");
        JsonNode mask = roi.path("mask");
        boolean masks = family == Family.MASK_RCNN;
        if (masks && mask.isMissingNode()) {
            throw new SpecException(file + ": missing key 'roi_head.mask' (a mask_rcnn spec needs its mask head)");
        }
        int[] rpnStrides = toArray(ints(req("rpn_head", "anchor", "strides")));
        int[] roiStrides = roi.has("featmap_strides") ? toArray(ints(roi.get("featmap_strides")))
                : java.util.Arrays.copyOf(rpnStrides, Math.min(4, rpnStrides.length));
        float[] means = {0, 0, 0, 0};
        float[] stds = {0.1f, 0.1f, 0.2f, 0.2f};
        for (int i = 0; i < 4; i++) {
            means[i] = (float) coder.path("target_means").path(i).asDouble(means[i]);
            stds[i] = (float) coder.path("target_stds").path(i).asDouble(stds[i]);
        }
        return checked("rpn_head/roi_head", () -> new TwoStageSpec(proposals(rpn.path("train"), 2000, 1000),
                proposals(rpn.path("test"), 1000, 1000), roiStrides, roi.path("roi_size").asInt(7),
                (float) roi.path("finest_scale").asDouble(56), req("roi_head", "fc_out_channels").asInt(),
                roi.path("train").path("num").asInt(512), roi.path("train").path("pos_fraction").asDouble(0.25), means, stds,
                masks ? mask.path("roi_size").asInt(14) : 0, masks ? mask.path("out_size").asInt(28) : 0,
                (float) root.path("test").path("mask_thr").asDouble(0.5)));
    }

    private static TwoStageSpec.Proposals proposals(JsonNode n, int nmsPre, int maxPerImg) {
        return new TwoStageSpec.Proposals(n.path("nms_pre").asInt(nmsPre), (float) n.path("nms_iou").asDouble(0.7),
                n.path("max_per_img").asInt(maxPerImg));
    }

    private PointHeadSpec readPointHead() {
        JsonNode h = root.path("head");
        int[] s = toArray(ints(req("head", "strides")));
        float[][] ranges;
        if (h.has("regress_ranges")) {
            JsonNode rr = h.get("regress_ranges");
            ranges = new float[rr.size()][];
            for (int l = 0; l < ranges.length; l++) {
                ranges[l] = new float[] {(float) rr.get(l).path(0).asDouble(), (float) rr.get(l).path(1).asDouble()};
            }
        } else {
            ranges = checked("head.regress_ranges", () -> PointHeadSpec.defaultRanges(s.length));
        }
        return checked("head", () -> new PointHeadSpec(s, ranges, h.path("center_sampling").asBoolean(false),
                (float) h.path("center_sample_radius").asDouble(1.5), h.path("norm_on_bbox").asBoolean(false),
                h.path("centerness_on_reg").asBoolean(false)));
    }

    private BoxCoderSpec readCoder() {
        JsonNode c = root.path("head").path("bbox_coder");
        if (c.isMissingNode()) {
            return BoxCoderSpec.unit();
        }
        float[] means = {0, 0, 0, 0};
        float[] stds = {1, 1, 1, 1};
        for (int i = 0; i < 4; i++) {
            means[i] = (float) c.path("target_means").path(i).asDouble(0);
            stds[i] = (float) c.path("target_stds").path(i).asDouble(1);
        }
        return new BoxCoderSpec(means, stds);
    }

    private PretrainSpec readPretrain() {
        JsonNode p = req("pretrain");
        JsonNode scale = p.path("img_scale");
        int[] input = imgScale();
        List<Integer> shorts = scale.has(1) ? ints(scale.get(1)) : List.of(input[1]);
        return checked("pretrain", () -> new PretrainSpec(recipe("pretrain"), p.path("ema_momentum").asDouble(0.996),
                p.path("temperature").asDouble(0.5), p.path("projector_dim").asInt(256), p.path("sample_boxes").asInt(2048),
                p.path("sample_pos_fraction").asDouble(1.0),
                p.path("grad_clip").asDouble(0), scale.path(0).asInt(input[0]), shorts,
                p.path("loss_bbox").asText(family.anchorBased() ? "l1" : "iou")));
    }

    private FinetuneSpec readFinetune() {
        JsonNode f = req("finetune");
        int[] input = imgScale();
        return checked("finetune", () -> new FinetuneSpec(recipe("finetune"), f.path("grad_clip").asDouble(0),
                f.path("img_scale").path(0).asInt(input[0]), f.path("img_scale").path(1).asInt(input[1])));
    }

    private <T> T checked(String key, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new SpecException(file + ": " + key + ": " + e.getMessage());
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

    /**
     * The folder of the spec's generated graphs: its {@code graphs} key, relative to the spec file's
     * folder, default {@code graphs} (for the specs of {@code model-specs/}, {@code model-specs/graphs}).
     */
    public Path graphsDirectory() {
        JsonNode g = root.get("graphs");
        if (g != null && !g.isTextual()) {
            throw new SpecException(file + ": graphs must be a folder name (a string), got " + g);
        }
        Path folder = file.toAbsolutePath().getParent();
        return folder.resolve(g == null ? "graphs" : g.asText()).normalize();
    }

    /**
     * The {@code graphs_from} key: the spec (a name of {@code model-specs/}, or a spec file's path
     * relative to this spec file's folder) whose generated graphs this spec runs with, its classifier
     * sized for this spec's classes at run time; null when the spec has graphs of its own.
     */
    public String graphsFrom() {
        JsonNode g = root.get("graphs_from");
        if (g == null || g.isNull()) {
            return null;
        }
        if (!g.isTextual() || g.asText().isBlank()) {
            throw new SpecException(file + ": graphs_from must name a spec (a string), got " + g);
        }
        return g.asText();
    }

    /** The spec's JSON at a path of keys, or a missing node. */
    public JsonNode at(String... path) {
        JsonNode n = root;
        for (String k : path) {
            n = n.path(k);
        }
        return n;
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

    /** The anchor settings of an anchor-based head; an error for other families. */
    public AnchorSpec anchors() {
        if (anchors == null) {
            throw new SpecException(file + ": family " + family.id() + " has no head.anchor");
        }
        return anchors;
    }

    /** Whether the detector has a mask head (Mask R-CNN): its training data needs instance masks. */
    public boolean hasMasks() {
        return twoStage != null && twoStage.hasMasks();
    }

    /** The RPN and RoI-head settings of a two-stage detector; an error for other families. */
    public TwoStageSpec twoStage() {
        if (twoStage == null) {
            throw new SpecException(file + ": family " + family.id() + " is not two-stage");
        }
        return twoStage;
    }

    /** The point-head settings of a point-based head (FCOS); an error for other families. */
    public PointHeadSpec pointHead() {
        if (pointHead == null) {
            throw new SpecException(file + ": family " + family.id() + " is not point-based");
        }
        return pointHead;
    }

    /** The delta box coder ({@code head.bbox_coder}); unit means and stds when absent. */
    public BoxCoderSpec boxCoder() {
        return coder;
    }

    /** Anchors per location: scales_per_octave x ratios for anchor-based heads, 1 for point-based heads. */
    public int anchorsPerLocation() {
        return anchors != null ? anchors.perLocation() : 1;
    }

    /** {@code head.prior_prob}: the classifier's initial foreground probability, default 0.01. */
    public double priorProb() {
        return root.path("head").path("prior_prob").asDouble(0.01);
    }

    /** {@code head.loss_bbox} of the supervised loss of a point-based head: {@code giou} (default) or {@code iou}. */
    public String supervisedBoxLoss() {
        return root.path("head").path("loss_bbox").asText("giou");
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

    /** (long side, short side) of the inference resize, {@code input.img_scale}, default 1333 x 800. */
    public int[] imgScale() {
        JsonNode s = root.path("input").path("img_scale");
        return new int[] {s.path(0).asInt(1333), s.path(1).asInt(800)};
    }

    /** Output channels of the neck, which every head level sees. */
    public int neckChannels() {
        return req("neck", "out_channels").asInt();
    }

    /** {@code neck.in_channels}: the backbone stages the neck reads, one channel count each. */
    public List<Integer> neckInChannels() {
        return ints(req("neck", "in_channels"));
    }

    /** {@code neck.num_outs}: pyramid levels the neck outputs. */
    public int neckOutputs() {
        return req("neck", "num_outs").asInt();
    }

    /** {@code head.feat_channels} of a dense head; {@code rpn_head.feat_channels} of a two-stage detector. */
    public int headChannels() {
        return family.twoStage() ? req("rpn_head", "feat_channels").asInt() : req("head", "feat_channels").asInt();
    }

    /** The {@code test} section, raw, for {@code PostprocessConfig} (which requires each of its keys). */
    public JsonNode testSection() {
        return req("test");
    }

    public PretrainSpec pretrain() {
        return pretrain;
    }

    public FinetuneSpec finetune() {
        return finetune;
    }

    public Recipe pretrainRecipe() {
        return pretrain.recipe();
    }

    public Recipe finetuneRecipe() {
        return finetune.recipe();
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

    private static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
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
