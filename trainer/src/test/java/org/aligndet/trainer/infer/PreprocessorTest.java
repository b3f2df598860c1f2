package org.aligndet.trainer.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.aligndet.trainer.spec.ModelSpecs;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The raw-only fast path gives exactly what {@link Preprocessor#prepare} gives for the ONNX input. */
class PreprocessorTest {
    @ParameterizedTest
    @CsvSource({"200,100", "97,213", "320,256", "641,479"})
    void prepareRawMatchesPrepareBitForBit(int w, int h) {
        Preprocessor pre = Preprocessor.of(ModelSpecs.locate().load("retinanet_tiny"));
        try (Mat img = new Mat(h, w, opencv_core.CV_8UC3);
             Mat lo = new Mat(1, 1, opencv_core.CV_64F, new DoublePointer(0.0));
             Mat hi = new Mat(1, 1, opencv_core.CV_64F, new DoublePointer(256.0))) {
            opencv_core.setRNGSeed(w * 1000 + h);
            opencv_core.randu(img, lo, hi);
            Prepared full = pre.prepare("x", img);
            Prepared raw = pre.prepareRaw("x", img);
            assertNull(raw.normalised());
            assertEquals(full.paddedWidth(), raw.paddedWidth());
            assertEquals(full.paddedHeight(), raw.paddedHeight());
            assertEquals(full.validWidth(), raw.validWidth());
            assertEquals(full.validHeight(), raw.validHeight());
            assertEquals(full.scaleW(), raw.scaleW());
            assertEquals(full.scaleH(), raw.scaleH());
            assertArrayEquals(full.raw(), raw.raw());
        }
    }
}
