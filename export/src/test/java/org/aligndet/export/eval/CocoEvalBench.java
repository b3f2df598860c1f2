package org.aligndet.export.eval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Benchmark (not a test): a val2017-sized generated case, 5,000 images, 80 categories, about 7 GT
 * and exactly 100 detections per image, written as COCO JSON files and then read and evaluated.
 *
 * <p>Run: {@code java -cp export/target/classes:export/target/test-classes:$(cat cp.txt)
 * org.aligndet.export.eval.CocoEvalBench [dir] [repeats]}.
 */
public final class CocoEvalBench {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"), "coco-eval-bench");
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Files.createDirectories(dir);
        Path gtFile = dir.resolve("gt.json");
        Path dtFile = dir.resolve("dt.json");
        generate(gtFile, dtFile, 5000, 80, 100, new Random(2017));
        System.out.printf("files: gt %.1f MB, results %.1f MB; %d cores%n", Files.size(gtFile) / 1e6, Files.size(dtFile) / 1e6,
                Runtime.getRuntime().availableProcessors());
        for (int rep = 0; rep < repeats; rep++) {
            long t0 = System.nanoTime();
            CocoGroundTruth gt = CocoGroundTruth.read(gtFile);
            long t1 = System.nanoTime();
            CocoDetections dt = CocoDetections.read(dtFile);
            long t2 = System.nanoTime();
            CocoEvalResult r = new CocoEvaluator().evaluate(gt, dt);
            long t3 = System.nanoTime();
            System.out.printf("run %d: read gt %.2f s, read results (%d dets) %.2f s, evaluate %.2f s, total %.2f s; AP %.4f AP50 %.4f%n",
                    rep, (t1 - t0) / 1e9, dt.size(), (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t3 - t0) / 1e9, r.stats()[0], r.stats()[1]);
        }
    }

    static void generate(Path gtFile, Path dtFile, int numImages, int numCats, int detsPerImage, Random rnd) throws IOException {
        JsonFactory f = new JsonFactory();
        double[][][] boxes = new double[numImages][][];
        int[][] cats = new int[numImages][];
        try (JsonGenerator g = f.createGenerator(gtFile.toFile(), com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayFieldStart("images");
            for (int i = 1; i <= numImages; i++) {
                g.writeStartObject();
                g.writeNumberField("id", i * 7L + 13);
                g.writeNumberField("width", 640);
                g.writeNumberField("height", 480);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("annotations");
            long annId = 1;
            for (int i = 0; i < numImages; i++) {
                int n = 1 + rnd.nextInt(13);
                boxes[i] = new double[n][];
                cats[i] = new int[n];
                for (int j = 0; j < n; j++) {
                    double w = 4 + rnd.nextDouble() * 300;
                    double h = 4 + rnd.nextDouble() * 300;
                    boxes[i][j] = new double[]{rnd.nextDouble() * (640 - w), rnd.nextDouble() * (480 - h), w, h};
                    cats[i][j] = 1 + rnd.nextInt(numCats);
                    g.writeStartObject();
                    g.writeNumberField("id", annId++);
                    g.writeNumberField("image_id", (i + 1) * 7L + 13);
                    g.writeNumberField("category_id", cats[i][j]);
                    g.writeFieldName("bbox");
                    g.writeArray(boxes[i][j], 0, 4);
                    g.writeNumberField("area", w * h * (0.6 + 0.4 * rnd.nextDouble()));
                    g.writeNumberField("iscrowd", rnd.nextInt(100) == 0 ? 1 : 0);
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (int c = 1; c <= numCats; c++) {
                g.writeStartObject();
                g.writeNumberField("id", c);
                g.writeStringField("name", "cat" + c);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        try (JsonGenerator g = f.createGenerator(dtFile.toFile(), com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
            g.writeStartArray();
            for (int i = 0; i < numImages; i++) {
                for (int d = 0; d < detsPerImage; d++) {
                    double[] b;
                    int cat;
                    if (d < boxes[i].length * 3) {
                        int j = d % boxes[i].length;
                        double[] src = boxes[i][j];
                        b = new double[]{src[0] + rnd.nextGaussian() * 8, src[1] + rnd.nextGaussian() * 8,
                            Math.max(1, src[2] * (1 + rnd.nextGaussian() * 0.1)), Math.max(1, src[3] * (1 + rnd.nextGaussian() * 0.1))};
                        cat = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(numCats) : cats[i][j];
                    } else {
                        double w = 4 + rnd.nextDouble() * 300;
                        double h = 4 + rnd.nextDouble() * 300;
                        b = new double[]{rnd.nextDouble() * (640 - w), rnd.nextDouble() * (480 - h), w, h};
                        cat = 1 + rnd.nextInt(numCats);
                    }
                    g.writeStartObject();
                    g.writeNumberField("image_id", (i + 1) * 7L + 13);
                    g.writeNumberField("category_id", cat);
                    g.writeFieldName("bbox");
                    g.writeStartArray();
                    for (double v : b) {
                        g.writeNumber(Math.round(v * 100) / 100.0);
                    }
                    g.writeEndArray();
                    g.writeNumberField("score", Math.round(rnd.nextDouble() * 1000) / 1000.0);
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
        }
    }
}
