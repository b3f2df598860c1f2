package org.aligndet.trainer.spec;

import java.util.List;

/**
 * A training recipe: SGD with momentum, linear warm-up, then steps at the given epochs (lr x 0.1 each).
 *
 * @param batch total images per iteration
 * @param steps epochs after which the learning rate drops by 10x
 */
public record Recipe(int epochs, int batch, double lr, double momentum, double weightDecay,
                     int warmupIters, double warmupRatio, List<Integer> steps) {
    public Recipe {
        steps = List.copyOf(steps);
        if (epochs <= 0 || batch <= 0 || lr <= 0 || warmupRatio <= 0 || warmupRatio > 1) {
            throw new IllegalArgumentException("recipe out of range: epochs " + epochs + ", batch " + batch
                    + ", lr " + lr + ", warmup_ratio " + warmupRatio);
        }
    }

    /** AlignDet's fine-tuning change against the supervised recipe: lr x 1.5, weight decay x 0.5. */
    public Recipe alignDetFinetune() {
        return new Recipe(epochs, batch, lr * 1.5, momentum, weightDecay * 0.5, warmupIters, warmupRatio, steps);
    }
}
