package org.aligndet.trainer.family;

/**
 * The positives of a batch, ready for a regression loss: where they sit in the flattened head
 * outputs and what they should regress to.
 *
 * @param rows       per positive, its row of the level-major flattened box output ({@code PriorLayout.boxRow})
 * @param targets    {@code float[M*4]}: the family's regression targets
 * @param points     point-based families: {@code float[M*2]}, each positive's {@code (x, y)} in input pixels; else {@code null}
 * @param centerness point-based families: {@code float[M]}, the centre-ness targets; else {@code null}
 */
public record PositiveTargets(long[] rows, float[] targets, float[] points, float[] centerness) {
    public PositiveTargets {
        if (targets.length != 4 * rows.length || (points != null && points.length != 2 * rows.length)
                || (centerness != null && centerness.length != rows.length)) {
            throw new IllegalArgumentException("positive targets disagree in length: " + rows.length + " rows");
        }
    }

    public int size() {
        return rows.length;
    }
}
