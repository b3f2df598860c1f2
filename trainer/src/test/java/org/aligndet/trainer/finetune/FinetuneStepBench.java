package org.aligndet.trainer.finetune;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.run.MetricsLog;
import org.aligndet.trainer.spec.ModelSpecs;

/**
 * Fine-tuning step time (a benchmark, not a test): the real loop on generated 512-px scenes at scale
 * (512, 512), batch 2, CPU; prints the median and mean of the logged per-step {@code time} (data
 * wait, forward, loss, backward, clip, SGD) after {@code warmup} steps.
 *
 * <pre>
 * mvn -o -q -pl trainer test-compile
 * java -cp ... org.aligndet.trainer.finetune.FinetuneStepBench retinanet_tiny 30 1   # spec, steps, torch threads
 * </pre>
 * The R50 graph must be generated first ({@code model-specs/generator/generate.py --spec retinanet_r50_fpn}).
 */
public final class FinetuneStepBench {
    public static void main(String[] a) throws Exception {
        String spec = a.length > 0 ? a[0] : "retinanet_tiny";
        int steps = a.length > 1 ? Integer.parseInt(a[1]) : 30;
        int threads = a.length > 2 ? Integer.parseInt(a[2]) : 0;
        int warmup = 5;
        Path dir = Files.createTempDirectory("ft-bench");
        FinetuneOptions o = FinetuneFixture.make(dir.resolve("data"), dir.resolve("run"), spec, 20, 512);
        if (!ModelSpecs.locate().isGenerated(spec)) {
            System.out.println(spec + ": graph not generated; skipped");
            return;
        }
        o.longSide = 512;
        o.shortSide = 512;
        o.iters = steps + warmup;
        o.warmupIters = 10;
        o.threads = threads;
        o.workers = 1;
        new Finetuner(o, null, new PrintStream(new ByteArrayOutputStream())).run();
        List<Map<String, Double>> rows = MetricsLog.read(o.out.resolve("metrics.jsonl"));
        double[] t = rows.stream().skip(warmup).mapToDouble(r -> r.get("time")).sorted().toArray();
        System.out.printf("%s fine-tuning step at 512 px, batch 2, CPU, %s torch threads: median %.3f s, mean %.3f s over %d steps%n",
                spec, threads == 0 ? "default" : String.valueOf(threads), t[t.length / 2], Arrays.stream(t).average().orElse(0), t.length);
    }
}
