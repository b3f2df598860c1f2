package org.aligndet.trainer.loss;

import org.aligndet.bridge.torch.Scalars;
import ai.djl.ndarray.NDArray;
import org.aligndet.trainer.box.Boxes;

/**
 * Differentiable IoU and GIoU of row-aligned xyxy boxes {@code [N, 4]} → {@code [N]}, as mmdetection's
 * {@code bbox_overlaps(is_aligned=True)}: union and enclosure bounded below by {@link Boxes#EPS}.
 */
final class AlignedOverlaps {
    private AlignedOverlaps() {
    }

    static NDArray iou(NDArray a, NDArray b) {
        return compute(a, b, false);
    }

    static NDArray giou(NDArray a, NDArray b) {
        return compute(a, b, true);
    }

    private static NDArray compute(NDArray a, NDArray b, boolean generalised) {
        Reduction.sameShape(a, b, "box pairs");
        if (a.getShape().dimension() != 2 || a.getShape().get(1) != 4) {
            throw new IllegalArgumentException("boxes must be [N, 4], got " + a.getShape());
        }
        NDArray lt = a.get(":, :2").maximum(b.get(":, :2"));
        NDArray rb = a.get(":, 2:").minimum(b.get(":, 2:"));
        NDArray overlap = area(rb.sub(lt).clip(0f, Float.POSITIVE_INFINITY));
        NDArray union = Scalars.maximum(area(a).add(area(b)).sub(overlap), Boxes.EPS);
        NDArray iou = overlap.div(union);
        if (!generalised) {
            return iou;
        }
        NDArray elt = a.get(":, :2").minimum(b.get(":, :2"));
        NDArray erb = a.get(":, 2:").maximum(b.get(":, 2:"));
        NDArray enclose = Scalars.maximum(area(erb.sub(elt).clip(0f, Float.POSITIVE_INFINITY)), Boxes.EPS);
        return iou.sub(enclose.sub(union).div(enclose));
    }

    /** {@code [N, 4]} boxes → {@code [N]} areas; or {@code [N, 2]} (w, h) → {@code [N]} products. */
    private static NDArray area(NDArray x) {
        if (x.getShape().get(1) == 2) {
            return x.get(":, 0").mul(x.get(":, 1"));
        }
        return x.get(":, 2").sub(x.get(":, 0")).mul(x.get(":, 3").sub(x.get(":, 1")));
    }
}
