package org.aligndet.export.eval;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Precision/recall curves as PNG charts (XChart), {@value #PER_CHART} classes per chart:
 * {@code <prefix>_01.png}, {@code <prefix>_02.png}, ... Rendering is headless.
 */
public final class PrCurvePlot {
    /** Classes per chart, so that the legend stays readable. */
    public static final int PER_CHART = 10;

    private PrCurvePlot() {
    }

    /** Writes one PNG per group of curves into {@code dir} and returns their paths, in order; none for no curves. */
    public static List<Path> write(Path dir, String prefix, String title, List<PrCurve> curves) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        List<PrCurve> drawable = curves.stream().filter(c -> c.recall().length > 0).toList();
        List<Path> files = new ArrayList<>();
        for (int from = 0; from < drawable.size(); from += PER_CHART) {
            List<PrCurve> group = drawable.subList(from, Math.min(from + PER_CHART, drawable.size()));
            int chartNo = from / PER_CHART + 1;
            XYChart chart = chart(title + (drawable.size() > PER_CHART ? " (" + chartNo + ")" : ""), group);
            Path file = dir.resolve(String.format("%s_%02d.png", prefix, chartNo));
            try {
                AtomicFiles.writeBytes(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot render " + file + ": " + e.getMessage(), e);
            }
            files.add(file);
        }
        return files;
    }

    private static XYChart chart(String title, List<PrCurve> group) {
        XYChart chart = new XYChartBuilder().width(900).height(650).title(title).xAxisTitle("recall").yAxisTitle("precision").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.05);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        for (PrCurve c : group) {
            XYSeries s = chart.addSeries(uniqueName(chart, c.name()), c.recall(), c.precision());
            s.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    private static String uniqueName(XYChart chart, String name) {
        String n = name;
        for (int i = 2; chart.getSeriesMap().containsKey(n); i++) {
            n = name + " #" + i;
        }
        return n;
    }
}
