package org.aligndet.export.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.aligndet.export.eval.CocoDetections;
import org.aligndet.export.eval.CocoEvalResult;
import org.aligndet.export.eval.CocoEvaluator;
import org.aligndet.export.eval.CocoGroundTruth;
import org.aligndet.trainer.bench.BenchResult;
import org.aligndet.trainer.bench.Timing;

/**
 * {@code bench coco-eval}: bounding-box COCO evaluation at val2017's size by default (5,000 images,
 * 80 categories, 1 to 13 ground-truth boxes and exactly 100 detections per image, generated as COCO
 * JSON files): reading the ground truth, reading the results, evaluating, each timed per repeat.
 */
public final class CocoEvalBench {
    private CocoEvalBench() {
    }

    public static BenchResult run(Path dir, int images, int repeats, PrintStream log) throws IOException {
        Files.createDirectories(dir);
        Path gtFile = dir.resolve("gt.json");
        Path dtFile = dir.resolve("dt.json");
        generate(gtFile, dtFile, images, 80, 100, new Random(2017));
        log.printf(Locale.ROOT, "coco-eval: generated %d images: gt %.1f MB, results %.1f MB%n", images, Files.size(gtFile) / 1e6,
                Files.size(dtFile) / 1e6);
        List<Double> readGt = new ArrayList<>();
        List<Double> readDt = new ArrayList<>();
        List<Double> eval = new ArrayList<>();
        List<Double> total = new ArrayList<>();
        CocoEvalResult r = null;
        int dets = 0;
        for (int rep = 0; rep < repeats; rep++) {
            long t0 = System.nanoTime();
            CocoGroundTruth gt = CocoGroundTruth.read(gtFile);
            long t1 = System.nanoTime();
            CocoDetections dt = CocoDetections.read(dtFile);
            long t2 = System.nanoTime();
            r = new CocoEvaluator().evaluate(gt, dt);
            long t3 = System.nanoTime();
            dets = dt.size();
            readGt.add((t1 - t0) / 1e9);
            readDt.add((t2 - t1) / 1e9);
            eval.add((t3 - t2) / 1e9);
            total.add((t3 - t0) / 1e9);
        }
        BenchResult b = new BenchResult("coco-eval").setting("images", images).setting("detections", dets).setting("repeats", repeats)
                .variant("read_gt", Timing.of(readGt)).variant("read_results", Timing.of(readDt)).variant("evaluate", Timing.of(eval))
                .variant("total", Timing.of(total));
        b.figure("images_per_s", images / b.variant("total").median());
        b.figure("AP", r.stats()[0]).figure("AP50", r.stats()[1]);
        return b;
    }

    /** Writes a generated ground truth and results file pair (COCO JSON). */
    public static void generate(Path gtFile, Path dtFile, int numImages, int numCats, int detsPerImage, Random rnd) throws IOException {
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
