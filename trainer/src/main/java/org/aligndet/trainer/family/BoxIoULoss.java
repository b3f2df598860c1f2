package org.aligndet.trainer.family;

import java.util.Locale;

/** Which IoU loss a point-based head regresses its boxes with. */
public enum BoxIoULoss {
    /** mmdetection {@code IoULoss}, mode log: {@code -log(max(IoU, 1e-6))}. */
    IOU,
    /** mmdetection {@code GIoULoss}: {@code 1 - GIoU}. */
    GIOU;

    /** {@code "iou"} or {@code "giou"} (any case); {@code what} names the setting in the error. */
    public static BoxIoULoss parse(String s, String what) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " must be 'iou' or 'giou', got '" + s + "'");
        }
    }
}
