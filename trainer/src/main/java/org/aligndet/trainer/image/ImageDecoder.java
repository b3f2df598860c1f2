package org.aligndet.trainer.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.aligndet.bridge.io.FileBytes;
import org.aligndet.trainer.data.ImageHeaders;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an image file into an 8-bit, 3-channel <b>BGR</b> {@link Mat} (OpenCV's order), owned by
 * the caller (close it).
 *
 * <p>Every failure is a {@link CorruptImageException} naming the file: missing
 * ({@link CorruptImageException#MISSING}), unreadable, zero bytes, more pixels than the cap (read
 * from the header before decoding where the format is PNG, JPEG, BMP or WebP, so an image bomb
 * never reaches the decoder; checked after decoding otherwise), not decodable by OpenCV, or a JPEG
 * without its end-of-image marker (OpenCV would otherwise return a truncated JPEG as a partly grey
 * image with only a warning on stderr). A JPEG whose structure is damaged in a way libjpeg only
 * warns about ({@code Corrupt JPEG data: ...} on stderr, without the file) is decoded, and a
 * warning naming the file is logged just before ({@link JpegScan}).
 */
public final class ImageDecoder {
    /** The default pixel cap: 50 megapixels (an 8-bit BGR image of that size takes 150 MB). */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);

    private ImageDecoder() {
    }

    /** {@link #readBgr(Path, long)} with {@link #DEFAULT_MAX_PIXELS}. */
    public static Mat readBgr(Path file) {
        return readBgr(file, DEFAULT_MAX_PIXELS);
    }

    /** Reads and decodes an image of at most {@code maxPixels} pixels. */
    public static Mat readBgr(Path file, long maxPixels) {
        byte[] bytes;
        try {
            bytes = FileBytes.readAll(file);
        } catch (NoSuchFileException e) {
            throw new CorruptImageException(file, CorruptImageException.MISSING, e);
        } catch (IOException e) {
            throw new CorruptImageException(file, Files.isDirectory(file) ? "is a directory, not an image" : "cannot read: " + e, e);
        }
        return decodeBgr(file, bytes, maxPixels);
    }

    /** Decodes {@code bytes}; {@code file} only names the source in errors. */
    public static Mat decodeBgr(Path file, byte[] bytes) {
        return decodeBgr(file, bytes, DEFAULT_MAX_PIXELS);
    }

    /** Decodes {@code bytes} of at most {@code maxPixels} pixels; {@code file} only names the source. */
    public static Mat decodeBgr(Path file, byte[] bytes, long maxPixels) {
        if (bytes.length == 0) {
            throw new CorruptImageException(file, "empty file");
        }
        if (isJpeg(bytes) && !hasJpegEnd(bytes)) {
            throw new CorruptImageException(file, "truncated JPEG (no end-of-image marker)");
        }
        int[] size = ImageHeaders.size(bytes);
        if (size != null) {
            requireAtMost(file, size[0], size[1], maxPixels);
        }
        if (isJpeg(bytes)) {
            String damage = JpegScan.problem(bytes);
            if (damage != null) {
                LOG.warn("{}: corrupt JPEG data ({}); decoding it anyway (a 'Corrupt JPEG data' line from libjpeg is about this file)",
                        file, damage);
            }
        }
        Mat decoded = decode(file, bytes);
        if ((long) decoded.cols() * decoded.rows() > maxPixels) {
            int w = decoded.cols();
            int h = decoded.rows();
            decoded.close();
            requireAtMost(file, w, h, maxPixels);
        }
        return decoded;
    }

    private static void requireAtMost(Path file, int w, int h, long maxPixels) {
        if ((long) w * h > maxPixels) {
            throw new CorruptImageException(file, w + " x " + h + " = " + (long) w * h + " pixels, more than the cap of "
                    + maxPixels);
        }
    }

    private static Mat decode(Path file, byte[] bytes) {
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
