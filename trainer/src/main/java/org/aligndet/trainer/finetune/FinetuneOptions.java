package org.aligndet.trainer.finetune;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.trainer.run.TrainOptions;
import org.aligndet.trainer.spec.FinetuneSpec;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.Recipe;

/**
 * Everything a supervised fine-tuning run needs beyond {@link TrainOptions}. {@link #fromSpec} fills
 * the recipe from the spec's {@code finetune} section; {@code recipe = "aligndet"} applies
 * {@link Recipe#alignDetFinetune()} (lr x 1.5, weight decay x 0.5, the paper's appendix). The
 * command line overrides single fields.
 */
public final class FinetuneOptions extends TrainOptions {
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

    /** A pre-training checkpoint (every weight but the projector; classifier fresh). */
    public Path init;
    /** A backbone checkpoint (baseline: neck and heads keep the graph's fresh initialisation). */
    public Path backbone;
    public String recipe = ALIGNDET;

    /** Low-data protocol: fraction of the training images (1 = all) and fold 1..5. */
    public double fraction = 1.0;
    public int fold = 1;

    /** mmdetection's {@code frozen_stages}: 1 freezes the stem and {@code layer1}; 0 only the stem; -1 nothing. */
    public int frozenStages = 1;
    public int longSide;
    public int shortSide;
    public double flipProb = 0.5;
    /** Validate every N iterations when a validator is given (0: only at the end). */
    public int valEvery;

    /** The spec's {@code finetune} recipe, adjusted for {@code recipe}. */
    public static FinetuneOptions fromSpec(ModelSpec spec, Path graph, String recipe) {
        FinetuneOptions o = new FinetuneOptions();
        o.spec = spec;
        o.graph = graph;
        o.recipe = checkRecipe(recipe);
        Recipe r = spec.finetuneRecipe();
        o.applyRecipe(ALIGNDET.equals(o.recipe) ? r.alignDetFinetune() : r);
        FinetuneSpec f = spec.finetune();
        o.gradClip = f.gradClip();
        o.longSide = f.longSide();
        o.shortSide = f.shortSide();
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
        return train != null && Files.isDirectory(train);
    }
}
