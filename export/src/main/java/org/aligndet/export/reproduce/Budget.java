package org.aligndet.export.reproduce;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aligndet.export.reproduce.ReproducePlan.Ablation;
import org.aligndet.export.reproduce.ReproducePlan.Cell;

/**
 * How much of the protocol to run.
 *
 * <ul>
 *   <li>{@link #SMALL} (about 30 minutes on 2 cores): the cell the paper's claim is judged on, 10% of
 *       the labels on the short schedule (400 iterations), 3 paired folds, the three arms. Other cells
 *       and the ablations are added with {@code --cells} and {@code --ablations} (each cell adds about
 *       8 minutes per 400 iterations, each ablation a pre-training of about 6 minutes).</li>
 *   <li>{@link #FULL}: every fraction on both schedules, 5 folds, and the ablations (classification-only
 *       and regression-only pretext, trainable backbone) at 10% of the labels.</li>
 *   <li>{@link #DEMO} and {@link #QUICK}: the demo's sizes, one fraction, baseline against AlignDet.</li>
 *   <li>{@link #TEST}: a few iterations of everything, for tests.</li>
 * </ul>
 */
public enum Budget {
    SMALL, FULL, DEMO, QUICK, TEST;

    public static Budget parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--budget must be small, full, demo, quick or test, got '" + s + "'");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The sizes of this budget. */
    public ReproducePlan plan() {
        List<Double> lossPoints = List.of(0.2, 0.4, 0.6, 0.8, 1.0);
        List<Arm> three = List.of(Arm.BASELINE, Arm.ALIGNDET, Arm.CONTROL);
        return switch (this) {
            case SMALL -> new ReproducePlan(480, 200, 256, 600, 4, 512, 0.5, 4, schedules(400, 1200),
                    List.of(cell(0.1, "short")), 3, three, List.of(), 2, lossPoints);
            case FULL -> new ReproducePlan(960, 400, 256, 1500, 4, 512, 0.5, 4, schedules(300, 900), fullGrid(), 5, three,
                    standardAblations(List.of(cell(0.1, "short"), cell(0.1, "long"))), 5, lossPoints);
            case DEMO -> new ReproducePlan(160, 80, 256, 200, 4, 512, 0.5, 4, schedules(250, 250),
                    List.of(cell(0.25, "short")), 2, List.of(Arm.BASELINE, Arm.ALIGNDET), List.of(), 2, lossPoints);
            case QUICK -> new ReproducePlan(64, 32, 256, 60, 4, 512, 0.5, 4, schedules(120, 120),
                    List.of(cell(0.5, "short")), 1, List.of(Arm.BASELINE, Arm.ALIGNDET), List.of(), 1, lossPoints);
            case TEST -> new ReproducePlan(16, 6, 128, 3, 2, 64, 0.5, 2, schedules(2, 3),
                    List.of(cell(0.5, "short"), cell(1.0, "long")), 2, three,
                    List.of(new Ablation("cls_only", "cls", false, List.of(cell(0.5, "short")))), 1, lossPoints);
        };
    }

    private static Map<String, Integer> schedules(int shortIters, int longIters) {
        Map<String, Integer> s = new LinkedHashMap<>();
        s.put("short", shortIters);
        s.put("long", longIters);
        return s;
    }

    private static Cell cell(double fraction, String schedule) {
        return new Cell(fraction, schedule);
    }

    private static List<Cell> fullGrid() {
        List<Cell> g = new ArrayList<>();
        for (String s : List.of("short", "long")) {
            for (double f : List.of(0.05, 0.1, 1.0)) {
                g.add(cell(f, s));
            }
        }
        return g;
    }

    /** Classification-only and regression-only pretext (paper Table 10), trainable backbone (Table 11), at these cells. */
    public static List<Ablation> standardAblations(List<Cell> cells) {
        return List.of(new Ablation("cls_only", "cls", false, cells), new Ablation("reg_only", "reg", false, cells),
                new Ablation("trainable_backbone", "both", true, cells));
    }
}
