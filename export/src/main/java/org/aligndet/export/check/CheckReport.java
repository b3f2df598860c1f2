package org.aligndet.export.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.aligndet.bridge.io.AtomicFiles;

/**
 * The outcome of a cross-runtime check: what was compared, how far apart the runtimes were, and
 * the verdict against {@link Tolerances}. {@link #failures()} lists each bound exceeded, in words;
 * the check passes when it is empty. Written as JSON ({@link #toJson()}) and Markdown
 * ({@link #markdown()}); non-finite numbers are JSON {@code null}.
 *
 * @param outputs       per raw output kind and level, cls_score first, then bbox_pred, centerness
 * @param ap            AP of each runtime, or null without ground truth
 * @param torchMsPerImage mean wall time per image of TorchScript forward + Java post-processing
 * @param onnxMsPerImage  mean wall time per image of {@code session.run} (raw outputs and detections)
 * @param notes         remarks that do not fail the check (e.g. metadata naming another checkpoint)
 */
public record CheckReport(String spec, String checkpoint, String onnx, String provider, int images, List<String> skipped,
                          List<OutputDiff> outputs, Matching matching, MaskComparison masks, ApComparison ap,
                          double torchMsPerImage, double onnxMsPerImage, Tolerances tolerances, List<String> notes) {

    /** Least mask IoU of a matched pair that passes (the 0.99). */
    public static final double MIN_MASK_IOU = 0.99;

    /**
     * Mask R-CNN: the matched detections' masks, each pasted into its original image from either
     * runtime's 28x28 probabilities (threshold 0.5), compared by mask IoU.
     *
     * @param pairs  matched pairs compared
     * @param below  pairs whose mask IoU is under {@link #MIN_MASK_IOU}
     */
    public record MaskComparison(int pairs, double meanIou, double minIou, int below) {
        public double passingFraction() {
            return pairs == 0 ? 1.0 : (double) (pairs - below) / pairs;
        }
    }

    /** Detections matched one to one ({@link DetectionMatcher}), over all images. */
    public record Matching(int torchDetections, int onnxDetections, int matched, double minIou, double maxScoreDelta) {
        /** Matched share of TorchScript's detections; 1 when it has none. */
        public double torchFraction() {
            return torchDetections == 0 ? 1.0 : (double) matched / torchDetections;
        }

        /** Matched share of ONNX Runtime's detections; 1 when it has none. */
        public double onnxFraction() {
            return onnxDetections == 0 ? 1.0 : (double) matched / onnxDetections;
        }
    }

    /** COCO bbox AP (IoU 0.5:0.95) and AP50 of each runtime on the checked images. */
    public record ApComparison(String groundTruth, double torchAp, double torchAp50, double onnxAp, double onnxAp50) {
        public double apDelta() {
            return Math.abs(torchAp - onnxAp);
        }

        public double ap50Delta() {
            return Math.abs(torchAp50 - onnxAp50);
        }
    }

    public CheckReport {
        skipped = List.copyOf(skipped);
        outputs = List.copyOf(outputs);
        notes = List.copyOf(notes);
    }

    /** Largest {@code maxAbs} over all outputs. */
    public double maxAbs() {
        return outputs.stream().mapToDouble(OutputDiff::maxAbs).max().orElse(0);
    }

    /** Largest {@code maxRel} over all outputs. */
    public double maxRel() {
        return outputs.stream().mapToDouble(OutputDiff::maxRel).max().orElse(0);
    }

    /** Each tolerance exceeded, in words; empty when the check passes. NaN never passes. */
    public List<String> failures() {
        List<String> out = new ArrayList<>();
        for (OutputDiff d : outputs) {
            if (!(d.maxAbs() <= tolerances.maxAbs())) {
                out.add(String.format(Locale.ROOT, "%s: max abs diff %.3g > %.3g (worst on %s)", d.name(), d.maxAbs(),
                        tolerances.maxAbs(), d.worstImage()));
            }
            if (!(d.maxRel() <= tolerances.maxRel())) {
                out.add(String.format(Locale.ROOT, "%s: max rel diff %.3g > %.3g", d.name(), d.maxRel(), tolerances.maxRel()));
            }
        }
        if (!(matching.torchFraction() >= tolerances.minMatched()) || !(matching.onnxFraction() >= tolerances.minMatched())) {
            out.add(String.format(Locale.ROOT, "detections matched: %.2f%% of TorchScript's, %.2f%% of ONNX Runtime's < %.2f%%",
                    100 * matching.torchFraction(), 100 * matching.onnxFraction(), 100 * tolerances.minMatched()));
        }
        if (masks != null && !(masks.passingFraction() >= tolerances.minMatched())) {
            out.add(String.format(Locale.ROOT, "masks: %d of %d matched pairs have mask IoU < %.2f (least %.4f)", masks.below(),
                    masks.pairs(), MIN_MASK_IOU, masks.minIou()));
        }
        if (ap != null && (!(ap.apDelta() <= tolerances.maxApDelta()) || !(ap.ap50Delta() <= tolerances.maxApDelta()))) {
            out.add(String.format(Locale.ROOT, "AP differs: |dAP| %.4f, |dAP50| %.4f > %.4f", ap.apDelta(), ap.ap50Delta(),
                    tolerances.maxApDelta()));
        }
        return out;
    }

    public boolean passed() {
        return failures().isEmpty();
    }

    public ObjectNode toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("passed", passed());
        failures().forEach(root.putArray("failures")::add);
        root.put("spec", spec).put("checkpoint", checkpoint).put("onnx", onnx).put("onnx_provider", provider).put("images", images);
        skipped.forEach(root.putArray("skipped")::add);
        ArrayNode outs = root.putArray("outputs");
        for (OutputDiff d : outputs) {
            ObjectNode o = outs.addObject().put("name", d.name()).put("kind", d.kind()).put("level", d.level())
                    .put("elements", d.elements());
            num(o, "max_abs", d.maxAbs());
            num(o, "max_rel", d.maxRel());
            num(o, "mean_abs", d.meanAbs());
            o.put("worst_image", d.worstImage());
        }
        num(root, "max_abs", maxAbs());
        num(root, "max_rel", maxRel());
        ObjectNode mt = root.putObject("detections").put("torchscript", matching.torchDetections())
                .put("onnxruntime", matching.onnxDetections()).put("matched", matching.matched());
        num(mt, "matched_of_torchscript", matching.torchFraction());
        num(mt, "matched_of_onnxruntime", matching.onnxFraction());
        num(mt, "min_iou", matching.minIou());
        num(mt, "max_score_delta", matching.maxScoreDelta());
        if (masks != null) {
            ObjectNode mk = root.putObject("masks").put("pairs", masks.pairs()).put("below_min_iou", masks.below());
            num(mk, "mean_iou", masks.meanIou());
            num(mk, "min_iou", masks.minIou());
            num(mk, "required_iou", MIN_MASK_IOU);
        }
        if (ap != null) {
            ObjectNode a = root.putObject("ap").put("ground_truth", ap.groundTruth());
            num(a, "torchscript_ap", ap.torchAp());
            num(a, "torchscript_ap50", ap.torchAp50());
            num(a, "onnxruntime_ap", ap.onnxAp());
            num(a, "onnxruntime_ap50", ap.onnxAp50());
        }
        ObjectNode ms = root.putObject("ms_per_image");
        num(ms, "torchscript", torchMsPerImage);
        num(ms, "onnxruntime", onnxMsPerImage);
        ObjectNode t = root.putObject("tolerances");
        num(t, "max_abs", tolerances.maxAbs());
        num(t, "max_rel", tolerances.maxRel());
        num(t, "rel_floor", tolerances.relFloor());
        num(t, "min_matched", tolerances.minMatched());
        num(t, "max_ap_delta", tolerances.maxApDelta());
        notes.forEach(root.putArray("notes")::add);
        return root;
    }

    private static void num(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }

    /** The report for people: verdict, tables of differences, detections, AP and tolerances. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Cross-runtime check: ").append(passed() ? "PASS" : "FAIL").append("\n\n");
        b.append(String.format(Locale.ROOT, "Spec `%s`, checkpoint `%s`, model `%s`; %d images%s; TorchScript (DJL, CPU) vs "
                        + "ONNX Runtime (%s).%n%n", spec, checkpoint, onnx, images,
                skipped.isEmpty() ? "" : " (" + skipped.size() + " unreadable, skipped)", provider));
        if (outputs.isEmpty()) {
            b.append("## Raw head outputs\n\nNone compared: a two-stage template's outputs are its detections (and masks), "
                    + "compared below.\n");
        } else {
            b.append(String.format(Locale.ROOT, "## Raw head outputs%n%n| output | elements | max abs | max rel (floor %.0e) "
                    + "| mean abs | worst image |%n|---|---:|---:|---:|---:|---|%n", tolerances.relFloor()));
        }
        for (OutputDiff d : outputs) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.3g | %.3g | %.3g | %s |%n", d.name(), d.elements(), d.maxAbs(),
                    d.maxRel(), d.meanAbs(), d.worstImage()));
        }
        b.append(String.format(Locale.ROOT, "%n## Detections (IoU >= %.2f, |score diff| <= %.0e, same label)%n%n"
                        + "| | TorchScript | ONNX Runtime |%n|---|---:|---:|%n| detections | %d | %d |%n"
                        + "| matched one to one | %d (%.2f%%) | %d (%.2f%%) |%n", matching.minIou(), matching.maxScoreDelta(),
                matching.torchDetections(), matching.onnxDetections(), matching.matched(), 100 * matching.torchFraction(),
                matching.matched(), 100 * matching.onnxFraction()));
        if (masks != null) {
            b.append(String.format(Locale.ROOT, "%n## Masks (matched pairs, pasted into the original image at 0.5)%n%n"
                    + "| pairs | mean mask IoU | least mask IoU | pairs below %.2f |%n|---:|---:|---:|---:|%n| %d | %.5f | %.5f | %d |%n",
                    MIN_MASK_IOU, masks.pairs(), masks.meanIou(), masks.minIou(), masks.below()));
        }
        if (ap != null) {
            b.append(String.format(Locale.ROOT, "%n## AP (COCO bbox, `%s`)%n%n| | TorchScript | ONNX Runtime | abs diff |%n"
                            + "|---|---:|---:|---:|%n| AP | %.4f | %.4f | %.4f |%n| AP50 | %.4f | %.4f | %.4f |%n", ap.groundTruth(),
                    ap.torchAp(), ap.onnxAp(), ap.apDelta(), ap.torchAp50(), ap.onnxAp50(), ap.ap50Delta()));
        }
        b.append(String.format(Locale.ROOT, "%nTime per image: TorchScript %.1f ms, ONNX Runtime %.1f ms (one image per call).%n",
                torchMsPerImage, onnxMsPerImage));
        b.append(String.format(Locale.ROOT, "%n## Tolerances%n%n- raw max abs <= %.3g%n- raw max rel <= %s%n"
                        + "- matched >= %.2f%% of each side's detections%n- |AP diff| and |AP50 diff| <= %.4f%n",
                tolerances.maxAbs(), Double.isFinite(tolerances.maxRel()) ? String.format(Locale.ROOT, "%.3g", tolerances.maxRel())
                        : "(not bounded)", 100 * tolerances.minMatched(), tolerances.maxApDelta()));
        List<String> f = failures();
        if (!f.isEmpty()) {
            b.append("\n## Failures\n\n");
            f.forEach(s -> b.append("- ").append(s).append('\n'));
        }
        if (!notes.isEmpty()) {
            b.append("\n## Notes\n\n");
            notes.forEach(s -> b.append("- ").append(s).append('\n'));
        }
        return b.toString();
    }

    /** Writes the JSON report atomically. */
    public void writeJson(Path file) {
        write(file, () -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(toJson()));
    }

    /** Writes the Markdown report atomically. */
    public void writeMarkdown(Path file) {
        write(file, () -> markdown().getBytes(StandardCharsets.UTF_8));
    }

    private interface Bytes {
        byte[] get() throws IOException;
    }

    private static void write(Path file, Bytes content) {
        try {
            AtomicFiles.write(file, content.get());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the check report: " + e.getMessage(), e);
        }
    }
}
