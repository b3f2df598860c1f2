package org.aligndet.export.predict;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.aligndet.export.eval.AtomicFiles;
import org.aligndet.trainer.image.ImageDecoder;
import org.aligndet.trainer.infer.Detections;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Draws detections onto their image with OpenCV: a 2-px box per detection at or above the score
 * threshold, and a filled tag with {@code class score} above it; one colour per class. Writes a PNG
 * atomically.
 */
public final class BoxDrawer {
    /** Distinct BGR colours, cycled by label. */
    private static final int[][] PALETTE = {
        {56, 56, 255}, {151, 157, 255}, {31, 112, 255}, {29, 178, 255}, {49, 210, 207}, {10, 249, 72},
        {23, 204, 146}, {134, 219, 61}, {211, 188, 0}, {209, 81, 4}, {255, 149, 0}, {255, 55, 168}};

    private final List<String> classes;
    private final float scoreThreshold;
    private final long maxPixels;

    public BoxDrawer(List<String> classes, float scoreThreshold) {
        this(classes, scoreThreshold, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /** @param maxPixels the pixel cap the images were predicted under ({@link ImageDecoder#readBgr(Path, long)}) */
    public BoxDrawer(List<String> classes, float scoreThreshold, long maxPixels) {
        this.classes = List.copyOf(classes);
        this.scoreThreshold = scoreThreshold;
        this.maxPixels = maxPixels;
    }

    /** Reads {@code image}, draws {@code dets} (original image coordinates) and writes {@code png}. */
    public void draw(Path image, Detections dets, Path png) {
        try (Mat bgr = ImageDecoder.readBgr(image, maxPixels)) {
            draw(bgr, dets);
            try (BytePointer buf = new BytePointer()) {
                imencode(".png", bgr, buf);
                byte[] bytes = new byte[(int) buf.limit()];
                buf.get(bytes);
                AtomicFiles.writeBytes(png, bytes);
            }
        }
    }

    /** Draws onto {@code bgr} in place. */
    public void draw(Mat bgr, Detections dets) {
        float[] b = dets.boxes();
        for (int i = dets.size() - 1; i >= 0; i--) { // lowest score first, so the best ends on top
            float score = dets.scores()[i];
            if (score < scoreThreshold) {
                continue;
            }
            int label = dets.labels()[i];
            int[] c = PALETTE[Math.floorMod(label, PALETTE.length)];
            try (Scalar colour = new Scalar(c[0], c[1], c[2], 0);
                 Scalar white = new Scalar(255, 255, 255, 0);
                 Point p1 = new Point(Math.round(b[4 * i]), Math.round(b[4 * i + 1]));
                 Point p2 = new Point(Math.round(b[4 * i + 2]), Math.round(b[4 * i + 3]))) {
                rectangle(bgr, p1, p2, colour, 2, LINE_AA, 0);
                String text = label(label, score);
                int[] base = new int[1];
                try (Size ts = getTextSize(text, FONT_HERSHEY_SIMPLEX, 0.4, 1, base)) {
                    int top = Math.max(0, p1.y() - ts.height() - 4);
                    try (Point t1 = new Point(p1.x(), top); Point t2 = new Point(p1.x() + ts.width() + 2, top + ts.height() + 4);
                         Point org = new Point(p1.x() + 1, top + ts.height() + 1)) {
                        rectangle(bgr, t1, t2, colour, FILLED, LINE_AA, 0);
                        putText(bgr, text, org, FONT_HERSHEY_SIMPLEX, 0.4, white, 1, LINE_AA, false);
                    }
                }
            }
        }
    }

    private String label(int label, float score) {
        String name = label < classes.size() ? classes.get(label) : "class " + label;
        return String.format(Locale.ROOT, "%s %.2f", name, score);
    }
}
