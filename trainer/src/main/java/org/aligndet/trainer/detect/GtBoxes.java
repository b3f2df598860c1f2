package org.aligndet.trainer.detect;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.aligndet.trainer.augment.BoxList;
import org.aligndet.trainer.box.BoxFormat;
import org.aligndet.trainer.data.Instance;

/**
 * The training targets of one image: {@code xyxy} is {@code float[G*4]} ({@link BoxFormat#XYXY}, pixels
 * of the network input, i.e. the augmented view) and {@code labels[g]} is box {@code g}'s class in
 * {@code [0, K)}. {@code G = 0} is an image without objects: every prior is a negative.
 *
 * <p>Crowd, ignored and VOC-difficult objects are not targets. mmdetection puts them in
 * {@code gt_bboxes_ignore}, which its RetinaNet and FCOS configs leave unused ({@code ignore_iof_thr = -1}),
 * so dropping them here is the same training signal; {@link #trainable} does that.
 */
public record GtBoxes(float[] xyxy, int[] labels) {
    public GtBoxes {
        if (xyxy.length != 4 * labels.length) {
            throw new IllegalArgumentException("gt boxes: " + xyxy.length + " coordinates for " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("gt box " + i + " has label " + labels[i] + " (proposal or unlabeled?)");
            }
        }
        xyxy = xyxy.clone();
        labels = labels.clone();
    }

    public static GtBoxes empty() {
        return new GtBoxes(new float[0], new int[0]);
    }

    /** Every box of a view, with its label; an error if any box has no class (label {@code -1}). */
    public static GtBoxes of(BoxList boxes) {
        return new GtBoxes(boxes.xyxy(), boxes.labels());
    }

    /**
     * The boxes of a view whose instance (matched by id) is neither crowd, ignored nor difficult.
     *
     * @param view      the augmented view's boxes (ids are annotation ids)
     * @param instances the image's instances in the original frame, for their flags
     */
    public static GtBoxes trainable(BoxList view, List<Instance> instances) {
        Set<Long> drop = new HashSet<>();
        for (Instance in : instances) {
            if (in.crowd() || in.ignore() || in.difficult()) {
                drop.add(in.id());
            }
        }
        float[] b = new float[view.xyxy().length];
        int[] l = new int[view.size()];
        int n = 0;
        for (int i = 0; i < view.size(); i++) {
            if (!drop.contains(view.ids()[i])) {
                System.arraycopy(view.xyxy(), 4 * i, b, 4 * n, 4);
                l[n++] = view.labels()[i];
            }
        }
        return new GtBoxes(Arrays.copyOf(b, 4 * n), Arrays.copyOf(l, n));
    }

    /** The instance ids of {@link #trainable}'s boxes, in its order. */
    public static long[] trainableIds(BoxList view, List<Instance> instances) {
        Set<Long> drop = new HashSet<>();
        for (Instance in : instances) {
            if (in.crowd() || in.ignore() || in.difficult()) {
                drop.add(in.id());
            }
        }
        return Arrays.stream(view.ids()).filter(id -> !drop.contains(id)).toArray();
    }

    /** Number of boxes G. */
    public int size() {
        return labels.length;
    }

    /** Label of box {@code g}. */
    public int label(int g) {
        return labels[g];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GtBoxes other && Arrays.equals(xyxy, other.xyxy) && Arrays.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(xyxy) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "GtBoxes[n=" + labels.length + ", labels=" + Arrays.toString(labels) + "]";
    }
}
