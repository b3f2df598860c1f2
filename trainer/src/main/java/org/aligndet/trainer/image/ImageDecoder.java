package org.aligndet.trainer.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Reads an image file into an 8-bit, 3-channel <b>BGR</b> {@link Mat} (OpenCV's order), owned by
 * the caller (close it).
 *
 * <p>Every failure is a {@link CorruptImageException} naming the file: unreadable, zero bytes, not
 * decodable by OpenCV, or a JPEG without its end-of-image marker (OpenCV would otherwise return a
 * truncated JPEG as a partly grey image with only a warning on stderr).
 */
public final class ImageDecoder {
    private ImageDecoder() {
    }

    public static Mat readBgr(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CorruptImageException(file, "cannot read: " + e, e);
        }
        return decodeBgr(file, bytes);
    }

    /** Decodes {@code bytes}; {@code file} only names the source in errors. */
    public static Mat decodeBgr(Path file, byte[] bytes) {
        if (bytes.length == 0) {
            throw new CorruptImageException(file, "empty file");
        }
        if (isJpeg(bytes) && !hasJpegEnd(bytes)) {
            throw new CorruptImageException(file, "truncated JPEG (no end-of-image marker)");
        }
        Mat decoded;
        try (Mat buf = new Mat(1, bytes.length, CV_8UC1)) {
            ((ByteBuffer) buf.createBuffer()).put(bytes);
            decoded = imdecode(buf, IMREAD_COLOR);
        } catch (RuntimeException e) {
            throw new CorruptImageException(file, "cannot decode: " + e.getMessage(), e);
        }
        if (decoded == null || decoded.empty()) {
            if (decoded != null) {
                decoded.close();
            }
            throw new CorruptImageException(file, "not a decodable image");
        }
        return decoded;
    }

    private static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff;
    }

    /** The EOI marker FF D9 within the last bytes, allowing trailing padding of zeros or whitespace. */
    private static boolean hasJpegEnd(byte[] b) {
        int end = b.length;
        while (end > 2 && (b[end - 1] == 0 || Character.isWhitespace(b[end - 1]))) {
            end--;
        }
        return end >= 2 && (b[end - 2] & 0xff) == 0xff && (b[end - 1] & 0xff) == 0xd9;
    }
}
