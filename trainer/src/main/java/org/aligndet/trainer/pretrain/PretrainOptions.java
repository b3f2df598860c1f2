package org.aligndet.trainer.pretrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.run.TrainOptions;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.PretrainSpec;

/**
 * Everything a box-domain pre-training run needs beyond {@link TrainOptions}. {@link #fromSpec} fills
 * the recipe from the spec's {@code pretrain} section (the paper's appendix for the R50 specs); the
 * command line overrides single fields.
 */
public final class PretrainOptions extends TrainOptions {
    public ModelSpec spec;
    public Path graph;
    /** Root the proposal file's {@code file_name}s resolve against. */
    public Path images;
    /** COCO-format proposals (one category {@code selective_search}). */
    public Path proposals;
    /** Optional backbone weights (this project's checkpoints, mmdetection, torchvision, MoCo). */
    public Path backbone;

    public double emaBase;
    public double temperature;
    public int samplesPerImage;
    public int projectorDim;
    public int longSide;
    public List<Integer> shortSides;

    /** View augmentation: horizontal flip probability and the photometric op (AlignDet: 0.5, on). */
    public double flipProb = 0.5;
    public boolean photometric = true;

    public static PretrainOptions fromSpec(ModelSpec spec, Path graph) {
        PretrainOptions o = new PretrainOptions();
        o.spec = spec;
        o.graph = graph;
        o.applyRecipe(spec.pretrainRecipe());
        PretrainSpec p = spec.pretrain();
        o.gradClip = p.gradClip();
        o.emaBase = p.emaMomentum();
        o.temperature = p.temperature();
        o.samplesPerImage = p.sampleBoxes();
        o.projectorDim = p.projectorDim();
        o.longSide = p.longSide();
        o.shortSides = new ArrayList<>(p.shortSides());
        o.scaleStepsToIters = false;
        return o;
    }
}
