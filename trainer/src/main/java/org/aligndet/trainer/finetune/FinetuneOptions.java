package org.aligndet.trainer.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.Recipe;

/**
 * Everything a supervised fine-tuning run needs. {@link #fromSpec} fills the recipe from the spec's
 * {@code finetune} section; {@code recipe = "aligndet"} applies {@link Recipe#alignDetFinetune()}
 * (lr x 1.5, weight decay x 0.5, the paper's appendix). The command line overrides single fields.
 *
 * <p>Length: {@link #iters} {@code > 0} runs that many iterations (epochs roll over as needed) and
 * the step schedule is scaled onto iterations ({@code step_iter = round(step_epoch / epochs * iters)},
 * as mmdetection's iteration-based configs place them); otherwise {@link #epochs} full epochs with
 * steps at the recipe's epochs.
 */
public final class FinetuneOptions {
    /** AlignDet's recipe (lr x 1.5, wd x 0.5) and the plain supervised one. */
    public static final String ALIGNDET = "aligndet";
    public static final String BASELINE = "baseline";

    public ModelSpec spec;
    public Path graph;
    /** COCO annotation file, or a VOC year directory ({@code VOCdevkit/VOC2007}). */
    public Path train;
    /** COCO image folder (ignored for VOC). */
    public Path images;
    /** VOC split of {@link #train} ({@code trainval}). */
    public String split = "trainval";
    /** VOC class names in label order; {@code null}: the 20 VOC classes. */
    public List<String> vocClasses;
    public Path out;

    /** A pre-training checkpoint (every weight but the projector; classifier fresh). */
    public Path init;
    /** A backbone checkpoint (baseline: neck and heads keep the graph's fresh initialisation). */
    public Path backbone;
    public String recipe = ALIGNDET;

    /** Low-data protocol: fraction of the training images (1 = all) and fold 1..5. */
    public double fraction = 1.0;
    public int fold = 1;

    public int epochs;
    /** Run this many iterations (0: {@link #epochs} decide). */
    public long iters;
    public int batch;
    public double lr;
    public double weightDecay;
    public double momentum;
    public int warmupIters;
    public double warmupRatio;
    public int[] steps;
    public double gradClip;
    /** mmdetection's {@code frozen_stages}: 1 freezes the stem and {@code layer1}; 0 only the stem; -1 nothing. */
    public int frozenStages = 1;
    public int longSide;
    public int shortSide;
    public double flipProb = 0.5;

    public String device = "auto";
    public long seed = 0;
    public boolean resume;
    public int workers = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    /** libtorch intra-op threads (0: libtorch's default). One is fastest on small, shared CPUs. */
    public int torchThreads;
    public int keepCheckpoints = 3;
    /** Also checkpoint every N iterations (0: at the end of each epoch and of the run). */
    public int checkpointEvery;
    /** Validate every N iterations when a validator is given (0: only at the end). */
    public int valEvery;
    public int logEvery = 10;

    /** The spec's {@code finetune} recipe, adjusted for {@code recipe}. */
    public static FinetuneOptions fromSpec(ModelSpec spec, Path graph, String recipe) {
        FinetuneOptions o = new FinetuneOptions();
        o.spec = spec;
        o.graph = graph;
        o.recipe = checkRecipe(recipe);
        Recipe r = spec.finetuneRecipe();
        if (ALIGNDET.equals(o.recipe)) {
            r = r.alignDetFinetune();
        }
        o.epochs = r.epochs();
        o.batch = r.batch();
        o.lr = r.lr();
        o.weightDecay = r.weightDecay();
        o.momentum = r.momentum();
        o.warmupIters = r.warmupIters();
        o.warmupRatio = r.warmupRatio();
        o.steps = r.steps().stream().mapToInt(Integer::intValue).toArray();
        JsonNode f = spec.section("finetune");
        o.gradClip = f.path("grad_clip").asDouble(35);
        JsonNode scale = f.path("img_scale");
        int[] test = spec.imgScale();
        o.longSide = scale.path(0).asInt(test[0]);
        o.shortSide = scale.path(1).asInt(test[1]);
        return o;
    }

    static String checkRecipe(String recipe) {
        if (!ALIGNDET.equals(recipe) && !BASELINE.equals(recipe)) {
            throw new IllegalArgumentException("--recipe must be 'aligndet' or 'baseline', got '" + recipe + "'");
        }
        return recipe;
    }

    /** Whether the data is a VOC year directory rather than a COCO annotation file. */
    public boolean isVoc() {
        return train != null && java.nio.file.Files.isDirectory(train);
    }
}
