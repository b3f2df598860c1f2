package org.aligndet.export.reproduce;

import java.util.List;
import java.util.Map;

/**
 * The sizes of one reproduction of the paper's low-data protocol (Table 2) on the synthetic benchmark.
 *
 * @param poolImages      unlabelled training pool: pre-training sees all of it, fine-tuning a fraction
 * @param valImages       held-out validation images
 * @param imageSize       side of the generated scenes, pixels
 * @param pretrainIters   box-domain pre-training iterations
 * @param pretrainBatch   images per pre-training iteration
 * @param samples         sampled priors per image and view
 * @param posFraction     largest share of positives in a sample
 * @param finetuneBatch   images per fine-tuning iteration
 * @param schedules       schedule name to fine-tuning iterations ({@code short}, {@code long})
 * @param grid            the (fraction, schedule) cells run for the main arms
 * @param folds           paired folds per cell
 * @param arms            the compared arms ({@link Arm#BASELINE}, {@link Arm#ALIGNDET}, ...)
 * @param ablations       extra pre-training variants and the cells they are fine-tuned in
 * @param valPoints       validations per fine-tuning run, evenly spaced, the last at its end
 * @param lossPoints      iterations (as shares of the run) at which losses are reported, averaged over a window
 */
public record ReproducePlan(int poolImages, int valImages, int imageSize, int pretrainIters, int pretrainBatch, int samples,
                            double posFraction, int finetuneBatch, Map<String, Integer> schedules, List<Cell> grid, int folds,
                            List<Arm> arms, List<Ablation> ablations, int valPoints, List<Double> lossPoints) {
    public ReproducePlan {
        schedules = Map.copyOf(schedules);
        grid = List.copyOf(grid);
        arms = List.copyOf(arms);
        ablations = List.copyOf(ablations);
        lossPoints = List.copyOf(lossPoints);
        for (Cell c : grid) {
            if (!schedules.containsKey(c.schedule())) {
                throw new IllegalArgumentException("grid names schedule '" + c.schedule() + "', not among " + schedules.keySet());
            }
            if ((int) Math.round(c.fraction() * poolImages) < finetuneBatch) {
                throw new IllegalArgumentException("fraction " + c.fraction() + " of " + poolImages + " images is less than a batch of "
                        + finetuneBatch);
            }
        }
        if (folds < 1 || valPoints < 1 || pretrainIters < 1) {
            throw new IllegalArgumentException("folds, validation points and pre-training iterations must be positive");
        }
    }

    /** One cell of Table 2: a label fraction and a schedule. */
    /**
     * What every stage's numbers depend on, by name: a reproduction folder keeps these fixed, while its
     * cells, folds, arms and ablations may grow between calls.
     */
    public java.util.Map<String, Object> sizes() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("pool_images", poolImages);
        m.put("val_images", valImages);
        m.put("image_size", imageSize);
        m.put("pretrain_iters", pretrainIters);
        m.put("pretrain_batch", pretrainBatch);
        m.put("samples", samples);
        m.put("pos_fraction", posFraction);
        m.put("finetune_batch", finetuneBatch);
        m.put("schedules", schedules);
        m.put("val_points", valPoints);
        m.put("loss_points", lossPoints);
        return m;
    }

    public record Cell(double fraction, String schedule) {
    }

    /** A pre-training variant of the paper's ablations (Tables 10, 11), fine-tuned like the AlignDet arm. */
    public record Ablation(String name, String pretext, boolean trainBackbone, List<Cell> cells) {
        public Ablation {
            cells = List.copyOf(cells);
        }

        /** The arm that fine-tunes from this variant. */
        public Arm arm() {
            return new Arm("aligndet_" + name, true, true, name);
        }
    }
}
