package org.aligndet.trainer.augment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aligndet.trainer.data.Instance;

/**
 * The boxes of one image, each with its instance id and class label, as a value that follows the
 * image through augmentation (resize, flip, clip). {@code xyxy} is {@code [N, 4]} row-major,
 * continuous 0-based corners in the pixel frame of whatever image they currently describe;
 * {@code ids[i]} is box {@code i}'s instance id (proposal index, annotation id) and
 * {@code labels[i]} its class ({@code -1} for proposals). Every operation returns a new value; no
 * array is changed after construction. Functions on plain box arrays (area, IoU) live in
 * {@link org.aligndet.trainer.box.Boxes}.
 */
public record BoxList(float[] xyxy, long[] ids, int[] labels) {
    public BoxList {
        if (xyxy.length != ids.length * 4 || labels.length != ids.length) {
            throw new IllegalArgumentException("boxes: " + xyxy.length + " coordinates, " + ids.length + " ids, " + labels.length + " labels");
        }
    }

    public static BoxList empty() {
        return new BoxList(new float[0], new long[0], new int[0]);
    }

    /** BoxList, ids and labels of {@code instances}, in their order. */
    public static BoxList of(List<Instance> instances) {
        int n = instances.size();
        float[] b = new float[n * 4];
        long[] ids = new long[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Instance in = instances.get(i);
            b[4 * i] = in.x1();
            b[4 * i + 1] = in.y1();
            b[4 * i + 2] = in.x2();
            b[4 * i + 3] = in.y2();
            ids[i] = in.id();
            labels[i] = in.label();
        }
        return new BoxList(b, ids, labels);
    }

    public int size() {
        return ids.length;
    }

    /** Coordinate {@code k} (0..3: x1, y1, x2, y2) of box {@code i}. */
    public float get(int i, int k) {
        return xyxy[4 * i + k];
    }

    /** Multiplies x by {@code sx} and y by {@code sy}: the map of a resize by those factors. */
    public BoxList scale(float sx, float sy) {
        float[] b = xyxy.clone();
        for (int i = 0; i < b.length; i += 4) {
            b[i] *= sx;
            b[i + 1] *= sy;
            b[i + 2] *= sx;
            b[i + 3] *= sy;
        }
        return new BoxList(b, ids, labels);
    }

    /** Mirror in an image of width {@code width}: {@code x1' = W - x2, x2' = W - x1}. An involution. */
    public BoxList flipHorizontal(int width) {
        float[] b = xyxy.clone();
        for (int i = 0; i < b.length; i += 4) {
            float x1 = b[i];
            b[i] = width - b[i + 2];
            b[i + 2] = width - x1;
        }
        return new BoxList(b, ids, labels);
    }

    /**
     * Clips to {@code [0, width] x [0, height]} and drops boxes whose clipped width or height is
     * not above {@code minSide}; survivors keep their ids, labels and relative order.
     */
    public BoxList clipAndDrop(int width, int height, float minSide) {
        float[] b = new float[xyxy.length];
        long[] keptIds = new long[ids.length];
        int[] keptLabels = new int[ids.length];
        int n = 0;
        for (int i = 0; i < ids.length; i++) {
            float x1 = clamp(xyxy[4 * i], width);
            float y1 = clamp(xyxy[4 * i + 1], height);
            float x2 = clamp(xyxy[4 * i + 2], width);
            float y2 = clamp(xyxy[4 * i + 3], height);
            if (x2 - x1 > minSide && y2 - y1 > minSide) {
                b[4 * n] = x1;
                b[4 * n + 1] = y1;
                b[4 * n + 2] = x2;
                b[4 * n + 3] = y2;
                keptIds[n] = ids[i];
                keptLabels[n] = labels[i];
                n++;
            }
        }
        return new BoxList(Arrays.copyOf(b, 4 * n), Arrays.copyOf(keptIds, n), Arrays.copyOf(keptLabels, n));
    }

    private static float clamp(float v, int hi) {
        return Math.min(Math.max(v, 0f), hi);
    }

    /** The ids as a list, for pairing views. */
    public List<Long> idList() {
        List<Long> out = new ArrayList<>(ids.length);
        for (long id : ids) {
            out.add(id);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BoxList other && Arrays.equals(xyxy, other.xyxy) && Arrays.equals(ids, other.ids)
                && Arrays.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(xyxy) + Arrays.hashCode(ids)) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "BoxList[n=" + ids.length + ", ids=" + Arrays.toString(ids) + ", xyxy=" + Arrays.toString(xyxy) + "]";
    }
}
