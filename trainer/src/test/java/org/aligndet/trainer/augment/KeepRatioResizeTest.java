package org.aligndet.trainer.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KeepRatioResizeTest {
    @Test
    void shortSideBinds() {
        // s = min(1333/640, 800/480) = 5/3; 640 * 5/3 + 0.5 = 1067.17
        KeepRatioResize.Plan p = KeepRatioResize.plan(640, 480, 1333, 800);
        assertEquals(1067, p.newWidth());
        assertEquals(800, p.newHeight());
        assertEquals(1067f / 640, p.scaleW());
        assertEquals(800f / 480, p.scaleH());
    }

    @Test
    void longSideBinds() {
        // s = min(1333/1000, 640/200) = 1.333; 200 * 1.333 + 0.5 = 267.1
        KeepRatioResize.Plan p = KeepRatioResize.plan(200, 1000, 1333, 640);
        assertEquals(267, p.newWidth());
        assertEquals(1333, p.newHeight());
        assertEquals(267f / 200, p.scaleW());
    }

    @Test
    void padToMultiple() {
        assertEquals(1088, Normalizer.padTo(1067, 32));
        assertEquals(800, Normalizer.padTo(800, 32));
    }
}
