package org.aligndet.trainer.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Loss curves from a metrics log, as a PNG (one line per loss term against iteration). */
public final class LossCurve {
    private LossCurve() {
    }

    /** Plots every key starting with {@code loss} against {@code iter}; written atomically. */
    public static void write(Path png, List<Map<String, Double>> rows, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("iteration").yAxisTitle("loss").build();
        List<String> keys = new ArrayList<>();
        for (Map<String, Double> r : rows) {
            for (String k : r.keySet()) {
                if (k.startsWith("loss") && !keys.contains(k)) {
                    keys.add(k);
                }
            }
        }
        for (String k : keys) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (Map<String, Double> r : rows) {
                if (r.containsKey(k) && r.containsKey("iter") && Double.isFinite(r.get(k))) {
                    x.add(r.get("iter"));
                    y.add(r.get(k));
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(k, x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no data", new double[] {0}, new double[] {0});
        }
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
