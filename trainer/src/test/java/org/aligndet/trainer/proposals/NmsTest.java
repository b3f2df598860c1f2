package org.aligndet.trainer.proposals;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NmsTest {
    @Test
    void rankOrderDecidesAndThresholdIsStrict() {
        List<double[]> boxes = List.of(
                new double[] {0, 0, 10, 10},
                new double[] {0, 0, 10, 20},   // IoU 0.5 with box 0: kept (not > 0.5)
                new double[] {1, 0, 11, 10},   // IoU 90/110 with box 0: suppressed
                new double[] {50, 50, 60, 60});
        assertEquals(List.of(0, 1, 3), Nms.keep(boxes, 0.5));
        assertEquals(List.of(0, 3), Nms.keep(boxes, 0.49));
    }

    @Test
    void emptyInput() {
        assertEquals(List.of(), Nms.keep(List.of(), 0.5));
    }
}
