package org.aligndet.trainer.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Draws small test scenes (filled shapes on noise) with known boxes, and broken files. */
public final class TestImages {
    private TestImages() {
    }

    /** A drawn scene and its shapes' boxes, xyxy in pixels. */
    public record Scene(BufferedImage image, List<float[]> boxes) {
    }

    /** {@code count} filled rectangles/ellipses of distinct colours on mild noise, sides 40..45% of the image. */
    public static Scene scene(int width, int height, int count, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int g = 100 + r.nextInt(24);
                img.setRGB(x, y, new Color(g, g, g).getRGB());
            }
        }
        Graphics2D g = img.createGraphics();
        List<float[]> boxes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int w = (int) (width * (0.15 + 0.3 * r.nextDouble()));
            int h = (int) (height * (0.15 + 0.3 * r.nextDouble()));
            int x = r.nextInt(width - w);
            int y = r.nextInt(height - h);
            g.setColor(Color.getHSBColor(r.nextFloat(), 0.8f + 0.2f * r.nextFloat(), 0.6f + 0.4f * r.nextFloat()));
            if (r.nextBoolean()) {
                g.fillRect(x, y, w, h);
            } else {
                g.fillOval(x, y, w, h);
            }
            boxes.add(new float[] {x, y, x + w, y + h});
        }
        g.dispose();
        return new Scene(img, boxes);
    }

    public static Path write(BufferedImage img, Path file) {
        try {
            String ext = file.getFileName().toString().replaceAll(".*\\.", "");
            ImageIO.write(img, ext.equals("jpg") ? "jpeg" : ext, file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a zero-byte file, a text file named .jpg and a truncated JPEG into {@code dir}; returns them. */
    public static List<Path> writeBroken(Path dir) throws IOException {
        Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        Path text = Files.writeString(dir.resolve("text.jpg"), "this is not an image\n");
        Path whole = write(scene(64, 48, 1, 7).image(), Files.createTempFile("whole", ".jpg"));
        byte[] bytes = Files.readAllBytes(whole);
        Files.delete(whole);
        Path cut = Files.write(dir.resolve("truncated.jpg"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        return List.of(empty, text, cut);
    }
}
