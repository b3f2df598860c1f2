package org.aligndet.trainer.family;

/** The training stage a rule serves, where a spec lets the two differ (FCOS' box loss: IoU in pre-training, GIoU in fine-tuning). */
public enum Stage {
    PRETRAIN, FINETUNE
}
