package org.aligndet.export.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An evaluation report in three forms: JSON ({@link #writeJson}), a Markdown table
 * ({@link #markdown}) and precision/recall PNGs ({@link #writePlots}).
 *
 * <p>COCO JSON: {@code kind = "coco_bbox"} or {@code "coco_segm"}, {@code iou_type}
 * ({@code "bbox"} or {@code "segm"}), {@code stats} = the 12 {@code COCOeval.stats} in
 * pycocotools' order, {@code stat_names}, the same numbers as named fields ({@code AP},
 * {@code AP50}, ..., {@code ARl}), and {@code per_category} ({@code category_id}, {@code name},
 * {@code AP}, {@code AP50}; -1 where a category has no GT). VOC JSON: {@code kind = "voc"},
 * {@code semantics}, {@code metric}, {@code iou_threshold}, {@code mAP} and {@code per_class}
 * ({@code class}, {@code AP}, {@code num_gts}, {@code num_dets}).
 */
public final class EvalReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> STAT_LABELS = List.of(
            "AP @[.50:.95] all maxDets=100", "AP @.50 all 100", "AP @.75 all 100",
            "AP small 100", "AP medium 100", "AP large 100",
            "AR all maxDets=1", "AR all maxDets=10", "AR all maxDets=100",
            "AR small 100", "AR medium 100", "AR large 100");

    private final ObjectNode json;
    private final String markdown;
    private final String title;
    private final List<PrCurve> curves;

    private EvalReport(ObjectNode json, String markdown, String title, List<PrCurve> curves) {
        this.json = json;
        this.markdown = markdown;
        this.title = title;
        this.curves = List.copyOf(curves);
    }

    /**
     * COCO report (bbox or segm, named in its first line); curves are IoU 0.50, area all,
     * maxDets 100, at the 101 recall points.
     */
    public static EvalReport coco(CocoEvalResult r) {
        ObjectNode root = JSON.createObjectNode();
        String iouType = r.iouType().label();
        root.put("kind", "coco_" + iouType);
        root.put("iou_type", iouType);
        double[] stats = r.stats();
        ArrayNode arr = root.putArray("stats");
        for (double s : stats) {
            arr.add(s);
        }
        ArrayNode names = root.putArray("stat_names");
        CocoEvalResult.STAT_NAMES.forEach(names::add);
        for (int i = 0; i < stats.length; i++) {
            root.put(CocoEvalResult.STAT_NAMES.get(i), stats[i]);
        }
        StringBuilder md = new StringBuilder("COCO " + (r.iouType() == IouType.SEGM ? "mask AP (iouType segm)" : "box AP (iouType bbox)")
                + "\n\n| metric | value |\n|---|---:|\n");
        for (int i = 0; i < stats.length; i++) {
            md.append("| ").append(STAT_LABELS.get(i)).append(" | ").append(fmt(stats[i])).append(" |\n");
        }
        md.append("\n| category | id | AP | AP50 |\n|---|---:|---:|---:|\n");
        ArrayNode per = root.putArray("per_category");
        List<PrCurve> curves = new ArrayList<>();
        double[] recThrs = r.params().recThrs();
        int t50 = r.params().iouIndex(0.5);
        List<CocoEvalResult.CategoryAp> cats = r.perCategory();
        for (int k = 0; k < cats.size(); k++) {
            CocoEvalResult.CategoryAp c = cats.get(k);
            per.addObject().put("category_id", c.categoryId()).put("name", c.name()).put("AP", c.ap()).put("AP50", c.ap50());
            md.append("| ").append(c.name()).append(" | ").append(c.categoryId()).append(" | ")
                    .append(fmt(c.ap())).append(" | ").append(fmt(c.ap50())).append(" |\n");
            double[] curve = r.precisionCurve(k, t50);
            if (curve[0] > -1) {
                curves.add(new PrCurve(c.name(), recThrs, curve));
            }
        }
        String title = r.iouType() == IouType.SEGM ? "COCO mask precision/recall, IoU 0.50" : "COCO precision/recall, IoU 0.50";
        return new EvalReport(root, md.toString(), title, curves);
    }

    /** VOC report; curves are each class's raw precision/recall after every detection. */
    public static EvalReport voc(VocResult r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("kind", "voc");
        root.put("semantics", r.semantics().name());
        root.put("metric", r.metric().name());
        root.put("iou_threshold", r.iouThreshold());
        root.put("mAP", r.mAP());
        ArrayNode per = root.putArray("per_class");
        StringBuilder md = new StringBuilder("| class | AP | objects | detections |\n|---|---:|---:|---:|\n");
        List<PrCurve> curves = new ArrayList<>();
        for (VocClassAp c : r.perClass()) {
            per.addObject().put("class", c.name()).put("AP", c.ap()).put("num_gts", c.numGts()).put("num_dets", c.numDets());
            md.append("| ").append(c.name()).append(" | ").append(fmt(c.ap())).append(" | ")
                    .append(c.numGts()).append(" | ").append(c.numDets()).append(" |\n");
            curves.add(new PrCurve(c.name(), c.recall(), c.precision()));
        }
        md.append("| **mAP** | **").append(fmt(r.mAP())).append("** | | |\n");
        String metric = r.metric() == VocEvaluator.Metric.ELEVEN_POINT ? "11-point" : "area";
        return new EvalReport(root, md.toString(), "VOC precision/recall (" + metric + " AP), IoU " + r.iouThreshold(), curves);
    }

    /** The report as JSON (a copy). */
    public ObjectNode json() {
        return json.deepCopy();
    }

    /** Markdown tables for the terminal. */
    public String markdown() {
        return markdown;
    }

    /** Writes the JSON atomically. */
    public void writeJson(Path file) {
        AtomicFiles.write(file, out -> JSON.writeValue(out, json));
    }

    /** Writes {@code pr_curves_NN.png} charts into {@code dir}, {@value PrCurvePlot#PER_CHART} classes each. */
    public List<Path> writePlots(Path dir) {
        return PrCurvePlot.write(dir, "pr_curves", title, curves);
    }

    private static String fmt(double v) {
        return v <= -1 ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }
}
