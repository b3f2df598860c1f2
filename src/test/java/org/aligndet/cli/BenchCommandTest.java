package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each benchmark runs for one short iteration and writes its JSON with every field. No timing is
 * asserted (benchmarks are not timed tests); only that each measured value is present and sane.
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    private JsonNode bench(String name, String... args) throws Exception {
        Path json = dir.resolve(name + ".json");
        String[] all = new String[args.length + 4];
        all[0] = "bench";
        all[1] = name;
        System.arraycopy(args, 0, all, 2, args.length);
        all[all.length - 2] = "--json";
        all[all.length - 1] = json.toString();
        CliRun r = CliRun.main(all);
        assertEquals(0, r.code(), name + ": " + r.err());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals(name, j.path("bench").asText());
        assertTrue(j.path("settings").path("malloc").asText().contains("MALLOC_MMAP_MAX_="), j.toString());
        assertTrue(!j.path("settings").path("allocator").asText().isBlank(), "the native allocator is named: " + j);
        assertTrue(j.path("settings").path("java_heap_pages").asText().contains("kernel THP mode"), "the heap's pages are named: " + j);
        return j;
    }

    private static void timing(JsonNode j, String variant, int runs) {
        JsonNode t = j.path(variant);
        assertTrue(t.isObject(), "no " + variant + " in " + j);
        double med = t.path("median_s").asDouble(-1), min = t.path("min_s").asDouble(-1), max = t.path("max_s").asDouble(-1);
        assertTrue(min > 0 && min <= med && med <= max, variant + ": min/median/max out of order: " + t);
        assertEquals(runs, t.path("runs").asInt(), variant + " runs");
    }

    @Test
    void stepBenchesWriteFullStepGraphOnlyAndOverhead() throws Exception {
        for (String step : List.of("pretrain-step", "finetune-step")) {
            JsonNode j = bench(step, "--size", "128x160", "--batch", "2", "--iters", "1", "--warmup", "0", "--threads", "1");
            timing(j, "full_step", 1);
            timing(j, "graph_only", 1);
            double overhead = j.path("overhead").asDouble(Double.NaN);
            double expected = j.path("full_step").path("median_s").asDouble() / j.path("graph_only").path("median_s").asDouble() - 1;
            assertEquals(expected, overhead, 1e-9, step + ": overhead is full / graph-only - 1");
            assertEquals("128x160", j.path("settings").path("size").asText());
            assertEquals(2, j.path("settings").path("batch").asInt());
            double shares = 0;
            for (String p : List.of("forward", "backward", "optimiser", "after_step")) {
                double s = j.path("phase_" + p + "_share").asDouble(-1);
                assertTrue(s >= 0 && s <= 1, step + " phase " + p + ": " + s);
                shares += s;
            }
            assertEquals(1.0, shares, 1e-6, step + ": the phases make up the full step");
            // the forward's named parts, in seconds per step: each timed, together within the forward
            double forward = j.path("full_forward_s").asDouble(-1), parts = 0;
            for (String p : List.of("graph", "targets", "losses")) {
                double s = j.path("full_forward_" + p + "_s").asDouble(-1);
                assertTrue(s > 0, step + ": forward part " + p + " in " + j);
                parts += s;
            }
            assertTrue(forward > 0 && parts <= forward * (1 + 1e-9), step + ": parts " + parts + " s within the forward's " + forward + " s");
            if (step.equals("pretrain-step")) { // the losses' own parts: AlignDet's keys, projector, contrastive and regression terms
                double losses = j.path("full_forward_losses_s").asDouble(), lossParts = 0;
                for (String p : List.of("keys", "projector", "contrastive", "regression")) {
                    double s = j.path("full_forward_losses_" + p + "_s").asDouble(-1);
                    assertTrue(s > 0, step + ": losses part " + p + " in " + j);
                    lossParts += s;
                }
                assertTrue(lossParts <= losses * (1 + 1e-9), step + ": losses' parts " + lossParts + " s within " + losses + " s");
            }
            for (String p : List.of("full_backward_s", "full_optimiser_s", "full_after_step_s", "graph_only_forward_s", "graph_only_backward_s")) {
                assertTrue(j.path(p).asDouble(-1) > 0, step + ": " + p + " in " + j);
            }
            assertEquals(0.0, j.path("arrays_left_per_step").asDouble(-1), 0.0,
                    step + ": a step leaves no array in the task's long-lived manager or beside the resident batches (a run-long leak)");
            if (j.path("full_step").has("minor_faults_per_run")) { // where /proc is readable
                assertTrue(j.path("full_step").path("minor_faults_per_run").asDouble() >= 0);
                for (String p : List.of("forward", "backward", "optimiser", "after_step")) {
                    assertTrue(j.path("phase_" + p + "_faults_per_step").asDouble(-1) >= 0, step + ": faults of phase " + p + " in " + j);
                }
            }
            if (j.has("java_alloc_mb_per_full_step")) { // where the JVM counts each thread's allocations
                assertTrue(j.path("java_alloc_mb_per_full_step").asDouble() > 0, step + ": a full step allocates Java arrays");
                assertTrue(j.path("java_alloc_mb_per_graph_only_step").asDouble(-1) >= 0, step + " graph only: " + j);
            }
            if (j.path("full_step").has("peak_rss_mb")) { // where the peak can be reset (/proc/self/clear_refs)
                assertTrue(j.path("full_step").path("peak_rss_mb").asDouble() > 0);
            }
        }
    }

    @Test
    void inferenceComparesTheTwoRuntimes() throws Exception {
        JsonNode j = bench("inference", "--iters", "1", "--warmup", "0", "--size", "120x160", "--scale", "128", "--threads", "1",
                "--ort-profile", dir.resolve("ort").toString());
        timing(j, "onnxruntime", 1);
        timing(j, "torchscript", 1);
        assertEquals(j.path("onnxruntime").path("median_s").asDouble() / j.path("torchscript").path("median_s").asDouble(),
                j.path("ort_over_torchscript").asDouble(), 1e-9);
        assertTrue(j.has("onnxruntime_detections") && j.has("torchscript_detections"), j.toString());
        assertEquals(1, j.path("settings").path("threads").asInt(), "--threads reaches both runtimes");
        assertTrue(j.path("ort_time_by_op").path("Conv").asDouble() > 0, j.toString());
        double gmac = j.path("conv_gmac_per_image").asDouble(-1);
        assertTrue(gmac > 0, "the profile's convolutions are counted: " + j);
        assertEquals(gmac / j.path("onnxruntime").path("median_s").asDouble(), j.path("onnxruntime_gmac_per_s").asDouble(), 1e-9);
        assertEquals(gmac / j.path("torchscript").path("median_s").asDouble(), j.path("torchscript_gmac_per_s").asDouble(), 1e-9);
        assertTrue(j.path("ort_conv_kernel_gmac_per_s").asDouble(-1) > 0, j.toString());
    }

    @Test
    void loaderProposalsAndCocoEval() throws Exception {
        JsonNode l = bench("loader", "--images", "4", "--size", "96x128", "--batch", "2", "--workers", "1,2", "--iters", "1",
                "--warmup", "0");
        timing(l, "workers_1", 1);
        timing(l, "workers_2", 1);
        assertTrue(l.path("workers_2_images_per_s").asDouble() > 0);
        JsonNode p = bench("proposals", "--images", "1", "--size", "96x128", "--modes", "fast", "--iters", "1", "--warmup", "0");
        timing(p, "fast", 1);
        assertTrue(p.path("fast_boxes_per_image").asDouble() > 0, p.toString());
        JsonNode c = bench("coco-eval", "--images", "20", "--iters", "1");
        for (String v : List.of("read_gt", "read_results", "evaluate", "total")) {
            timing(c, v, 1);
        }
        double ap = c.path("AP").asDouble(-1);
        assertTrue(ap > 0 && ap < 1, "generated detections overlap their boxes: AP in (0, 1), got " + ap);
    }

    @Test
    void aBadSizeIsAUsageError() {
        CliRun r = CliRun.main("bench", "pretrain-step", "--size", "512");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is not a size HxW"), r.err());
    }
}
