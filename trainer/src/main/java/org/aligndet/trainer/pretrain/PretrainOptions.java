package org.aligndet.trainer.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.Recipe;

/**
 * Everything a box-domain pre-training run needs. {@link #fromSpec} fills the recipe from the
 * spec's {@code pretrain} section (the paper's appendix for the R50 specs); the command line
 * overrides single fields.
 */
public final class PretrainOptions {
    public ModelSpec spec;
    public Path graph;
    /** Root the proposal file's {@code file_name}s resolve against. */
    public Path images;
    /** COCO-format proposals (one category {@code selective_search}). */
    public Path proposals;
    /** Optional backbone weights (this project's checkpoints, mmdetection, torchvision, MoCo). */
    public Path backbone;
    public Path out;

    public int epochs;
    public int batch;
    public double lr;
    public double weightDecay;
    public double momentum;
    public int warmupIters;
    public double warmupRatio;
    public int[] steps;
    /** Clip the total gradient norm (mmdetection's RetinaNet/FCOS: 35; 0 = off). */
    public double gradClip;
    public double emaBase;
    public double temperature;
    public int samplesPerImage;
    public int longSide;
    public List<Integer> shortSides;

    /** View augmentation: horizontal flip probability and the photometric op (AlignDet: 0.5, on). */
    public double flipProb = 0.5;
    public boolean photometric = true;

    public String device = "auto";
    public long seed = 0;
    public boolean resume;
    public int workers = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    public int keepCheckpoints = 3;
    /** Stop after this many iterations in all (0: the recipe's epochs decide). */
    public long maxIters;
    /** Also checkpoint every N iterations (0: only at the end of each epoch). */
    public int checkpointEvery;
    public int logEvery = 10;

    public static PretrainOptions fromSpec(ModelSpec spec, Path graph) {
        PretrainOptions o = new PretrainOptions();
        o.spec = spec;
        o.graph = graph;
        Recipe r = spec.pretrainRecipe();
        o.epochs = r.epochs();
        o.batch = r.batch();
        o.lr = r.lr();
        o.weightDecay = r.weightDecay();
        o.momentum = r.momentum();
        o.warmupIters = r.warmupIters();
        o.warmupRatio = r.warmupRatio();
        o.steps = r.steps().stream().mapToInt(Integer::intValue).toArray();
        JsonNode p = spec.section("pretrain");
        o.emaBase = p.path("ema_momentum").asDouble(0.996);
        o.gradClip = p.path("grad_clip").asDouble(35);
        o.temperature = p.path("temperature").asDouble(0.5);
        o.samplesPerImage = p.path("sample_boxes").asInt(2048);
        JsonNode scale = p.path("img_scale");
        o.longSide = scale.path(0).asInt(1333);
        o.shortSides = new ArrayList<>();
        scale.path(1).forEach(n -> o.shortSides.add(n.asInt()));
        if (o.shortSides.isEmpty()) {
            o.shortSides.add(800);
        }
        return o;
    }

    /** Projector output dimension (the paper: 256). */
    public int projectorDim() {
        return spec.section("pretrain").path("projector_dim").asInt(256);
    }
}
