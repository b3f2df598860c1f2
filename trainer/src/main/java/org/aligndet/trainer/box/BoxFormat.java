package org.aligndet.trainer.box;

/**
 * How the four numbers of a box are laid out. Boxes travel as flat {@code float[N*4]} arrays,
 * row-major, one box per row, in pixels of the image they belong to.
 *
 * <ul>
 *   <li>{@link #XYXY}: {@code x1, y1, x2, y2}, corners, {@code x1 <= x2, y1 <= y2} (no +1 convention)</li>
 *   <li>{@link #XYWH}: {@code x1, y1, w, h} (COCO annotation format)</li>
 *   <li>{@link #CXCYWH}: {@code cx, cy, w, h}</li>
 * </ul>
 */
public enum BoxFormat {
    XYXY, XYWH, CXCYWH;

    /** A new array with {@code boxes} (N*4, in {@code from}) written in {@code to}; the input is untouched. */
    public static float[] convert(float[] boxes, BoxFormat from, BoxFormat to) {
        Boxes.count(boxes, "boxes");
        float[] out = new float[boxes.length];
        for (int i = 0; i < boxes.length; i += 4) {
            float x1, y1, x2, y2;
            switch (from) {
                case XYXY: x1 = boxes[i]; y1 = boxes[i + 1]; x2 = boxes[i + 2]; y2 = boxes[i + 3]; break;
                case XYWH: x1 = boxes[i]; y1 = boxes[i + 1]; x2 = x1 + boxes[i + 2]; y2 = y1 + boxes[i + 3]; break;
                default:
                    x1 = boxes[i] - 0.5f * boxes[i + 2]; y1 = boxes[i + 1] - 0.5f * boxes[i + 3];
                    x2 = boxes[i] + 0.5f * boxes[i + 2]; y2 = boxes[i + 1] + 0.5f * boxes[i + 3];
            }
            switch (to) {
                case XYXY: out[i] = x1; out[i + 1] = y1; out[i + 2] = x2; out[i + 3] = y2; break;
                case XYWH: out[i] = x1; out[i + 1] = y1; out[i + 2] = x2 - x1; out[i + 3] = y2 - y1; break;
                default:
                    out[i] = (x1 + x2) * 0.5f; out[i + 1] = (y1 + y2) * 0.5f;
                    out[i + 2] = x2 - x1; out[i + 3] = y2 - y1;
            }
        }
        return out;
    }
}
