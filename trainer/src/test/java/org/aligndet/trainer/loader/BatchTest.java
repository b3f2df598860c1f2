package org.aligndet.trainer.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.aligndet.trainer.augment.BoxList;
import org.aligndet.trainer.augment.ImageTensor;
import org.aligndet.trainer.augment.PhotometricOp;
import org.aligndet.trainer.augment.View;
import org.junit.jupiter.api.Test;

class BatchTest {
    /** A view whose pixel (c, y, x) holds {@code tag + c * 10000 + y * 100 + x}. */
    private static View view(int h, int w, float tag) {
        float[] d = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    d[(c * h + y) * w + x] = tag + c * 10000 + y * 100 + x;
                }
            }
        }
        return new View(new ImageTensor(3, h, w, d), h, w, 1f, 1f, false, new PhotometricOp.Choice(PhotometricOp.IDENTITY, 0),
                BoxList.empty());
    }

    @Test
    void thePixelsAreKeptOnceInTheBatchTensorAndTheSamplesKeepTheirShapes() {
        Batch.Sample a = new Batch.Sample(0, null, List.of(view(4, 6, 0f), view(8, 2, 0.5f)));
        Batch.Sample b = new Batch.Sample(1, null, List.of(view(6, 4, 0.25f), view(4, 4, 0.75f)));
        Batch batch = Batch.collate(3, List.of(a, b));

        BatchTensor v0 = batch.views().get(0);
        assertEquals(List.of(2, 3, 6, 6), List.of(v0.batch(), v0.channels(), v0.height(), v0.width()));
        // view 0: image 0 is 4x6, image 1 is 6x4, padded to 6x6; index ((image * 3 + channel) * 6 + row) * 6 + column
        assertEquals(0.25f + 20000 + 503, v0.data()[((3 + 2) * 6 + 5) * 6 + 3], "image 1, channel 2, row 5, column 3");
        assertEquals(105f, v0.data()[(0 * 6 + 1) * 6 + 5], "image 0, channel 0, row 1, column 5");
        assertEquals(0f, v0.data()[(0 * 6 + 5) * 6 + 0], "image 0, row 5: padding");
        assertEquals(0f, v0.data()[((3 + 1) * 6 + 0) * 6 + 5], "image 1, column 5: padding");

        for (int s = 0; s < 2; s++) {
            for (int v = 0; v < 2; v++) {
                View kept = batch.samples().get(s).views().get(v);
                View given = (s == 0 ? a : b).views().get(v);
                assertNull(kept.image().data(), "sample " + s + " view " + v + " still holds its pixels");
                assertEquals(given.image().height(), kept.image().height());
                assertEquals(given.image().width(), kept.image().width());
                assertEquals(given.validWidth(), kept.validWidth());
            }
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> batch.samples().get(0).views().get(0).image().get(0, 0, 0));
        assertTrue(e.getMessage().contains("batch tensor"), e.getMessage());
    }
}
