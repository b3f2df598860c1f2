package org.aligndet.export.reproduce;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.aligndet.bridge.io.AtomicFiles;
import org.aligndet.export.reproduce.ReproducePlan.Cell;
import org.aligndet.trainer.run.MetricsLog;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The reproduction's charts, one set per (fraction, schedule) cell, arms overlaid, means over folds:
 * {@code val_ap_*.png} (validation AP50 against iteration) and {@code loss_cls_*.png},
 * {@code loss_bbox_*.png} (training losses against iteration, smoothed over a tenth of the run).
 */
final class ReproducePlots {
    private ReproducePlots() {
    }

    static List<Path> write(Path dir, ReproducePlan plan, List<RunRecord> runs) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        List<Cell> cells = new ArrayList<>();
        runs.forEach(r -> {
            Cell c = new Cell(r.fraction(), r.schedule());
            if (!cells.contains(c)) {
                cells.add(c);
            }
        });
        List<Path> files = new ArrayList<>();
        for (Cell c : cells) {
            String id = RunRecord.fractionId(c.fraction()) + "_" + c.schedule();
            String what = String.format(Locale.ROOT, "%s%% labels, %s schedule", pct(c.fraction()), c.schedule());
            Map<String, List<RunRecord>> byArm = new LinkedHashMap<>();
            runs.stream().filter(r -> r.fraction() == c.fraction() && r.schedule().equals(c.schedule()))
                    .forEach(r -> byArm.computeIfAbsent(r.arm(), k -> new ArrayList<>()).add(r));
            files.add(chart(dir.resolve("val_ap_" + id + ".png"), "Validation AP50, " + what, "AP50",
                    series(byArm, r -> curve(r))));
            for (String loss : List.of("loss_cls", "loss_bbox")) {
                files.add(chart(dir.resolve(loss + "_" + id + ".png"), loss + ", " + what, loss,
                        series(byArm, r -> lossCurve(dir, r, loss))));
            }
        }
        return files;
    }

    /** Per arm, the mean over its folds of each run's points (iterations every run shares). */
    private static Map<String, TreeMap<Long, Double>> series(Map<String, List<RunRecord>> byArm,
                                                             Function<RunRecord, TreeMap<Long, Double>> points) {
        Map<String, TreeMap<Long, Double>> out = new LinkedHashMap<>();
        byArm.forEach((arm, rs) -> {
            TreeMap<Long, Double> sum = new TreeMap<>();
            TreeMap<Long, Integer> n = new TreeMap<>();
            for (RunRecord r : rs) {
                points.apply(r).forEach((k, v) -> {
                    sum.merge(k, v, Double::sum);
                    n.merge(k, 1, Integer::sum);
                });
            }
            TreeMap<Long, Double> mean = new TreeMap<>();
            sum.forEach((k, v) -> {
                if (n.get(k) == rs.size()) {
                    mean.put(k, v / rs.size());
                }
            });
            out.put(arm, mean);
        });
        return out;
    }

    private static TreeMap<Long, Double> curve(RunRecord r) {
        TreeMap<Long, Double> m = new TreeMap<>();
        m.put(0L, 0.0);
        r.curve().forEach(p -> m.put(p.iter(), p.ap50()));
        return m;
    }

    /** The run's logged loss, averaged over windows of a tenth of the run. */
    private static TreeMap<Long, Double> lossCurve(Path dir, RunRecord r, String loss) {
        Path metrics = dir.resolve("runs").resolve(RunRecord.name(r.arm(), r.fraction(), r.schedule(), r.fold()))
                .resolve("metrics.jsonl");
        TreeMap<Long, Double> out = new TreeMap<>();
        if (!Files.exists(metrics)) {
            return out;
        }
        List<Map<String, Double>> rows;
        try {
            rows = MetricsLog.read(metrics);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int window = Math.max(1, r.iters() / 20);
        for (long end = window; end <= r.iters(); end += window) {
            double sum = 0;
            int n = 0;
            for (Map<String, Double> row : rows) {
                double it = row.getOrDefault("iter", -1.0);
                if (row.containsKey(loss) && it > end - window && it <= end) {
                    sum += row.get(loss);
                    n++;
                }
            }
            if (n > 0) {
                out.put(end, sum / n);
            }
        }
        return out;
    }

    private static Path chart(Path file, String title, String yTitle, Map<String, TreeMap<Long, Double>> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("iteration").yAxisTitle(yTitle).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        series.forEach((arm, points) -> {
            if (!points.isEmpty()) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                points.forEach((k, v) -> {
                    if (Double.isFinite(v)) {
                        x.add((double) k);
                        y.add(v);
                    }
                });
                if (!x.isEmpty()) {
                    chart.addSeries(arm, x, y).setMarker(SeriesMarkers.CIRCLE);
                }
            }
        });
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no data", new double[] {0}, new double[] {0});
        }
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
        return file;
    }

    private static String pct(double f) {
        double p = 100 * f;
        return p == Math.rint(p) ? Long.toString(Math.round(p)) : Double.toString(p);
    }
}
