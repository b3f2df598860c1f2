package org.aligndet.trainer.synth;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_PNG_COMPRESSION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Encodes BGR pixel buffers with OpenCV's codecs. For fixed input and fixed parameters both
 * encoders are deterministic (baseline JPEG at a fixed quality, PNG at a fixed compression level),
 * which the synthetic benchmark's byte-for-byte reproducibility relies on.
 */
final class ImageCodec {
    static final int JPEG_QUALITY = 95;
    static final int PNG_COMPRESSION = 3;

    private ImageCodec() {
    }

    /** JPEG bytes of an {@code height x width} BGR image at {@link #JPEG_QUALITY}. */
    static byte[] jpeg(byte[] bgr, int width, int height) {
        return encode(".jpg", bgr, width, height, IMWRITE_JPEG_QUALITY, JPEG_QUALITY);
    }

    /** PNG bytes of an {@code height x width} BGR image at compression {@link #PNG_COMPRESSION}. */
    static byte[] png(byte[] bgr, int width, int height) {
        return encode(".png", bgr, width, height, IMWRITE_PNG_COMPRESSION, PNG_COMPRESSION);
    }

    private static byte[] encode(String ext, byte[] bgr, int width, int height, int param, int value) {
        if (bgr.length != 3 * width * height) {
            throw new IllegalArgumentException("expected " + 3 * width * height + " bytes for " + width + "x" + height
                    + " BGR, got " + bgr.length);
        }
        try (BytePointer pixels = new BytePointer(bgr);
             Mat mat = new Mat(height, width, CV_8UC3, pixels);
             BytePointer out = new BytePointer();
             IntPointer params = new IntPointer(param, value)) {
            if (!imencode(ext, mat, out, params)) {
                throw new IllegalStateException("OpenCV could not encode " + ext);
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }
}
