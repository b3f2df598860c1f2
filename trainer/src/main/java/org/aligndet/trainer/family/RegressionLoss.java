package org.aligndet.trainer.family;

import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.model.HeadOutputs;

/** A family's regression loss terms on the positives of a batch. */
@FunctionalInterface
public interface RegressionLoss {
    /**
     * @param head      the head's outputs (box branch, and centre-ness where the family has it)
     * @param positives the batch's positives; none gives exact zero terms still attached to the graph
     * @param avgFactor the normaliser of the terms averaged by positives ({@code > 0})
     * @return {@code loss_bbox} (and {@code loss_centerness} for point-based heads)
     */
    LossTerms compute(HeadOutputs head, PositiveTargets positives, double avgFactor);
}
