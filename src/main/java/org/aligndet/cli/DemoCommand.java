package org.aligndet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.aligndet.export.reproduce.RunRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole AlignDet pipeline on generated data with the embedded tiny RetinaNet: the paper's protocol
 * at demo size ({@code aligndet reproduce}: synthetic data, proposals, box-domain pre-training on the
 * unlabelled pool, fine-tuning of the baseline and of AlignDet on the same labelled folds, each scored
 * on the validation split), then ONNX export, ONNX Runtime evaluation and the cross-runtime check of
 * both fine-tuned detectors. Each stage is the command a user would run; the demo prints them, times
 * them and sums up.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline on generated data with the embedded tiny RetinaNet: the paper's low-data "
                + "protocol at demo size (synthetic pool, proposals, AlignDet pre-training, fine-tuning of the backbone-only "
                + "baseline and of AlignDet on the same folds) -> ONNX export -> ONNX Runtime evaluation -> cross-runtime check.",
            "About 8 minutes on 2 CPU cores; --quick about 3."},
        footer = {"%nExample:%n  aligndet demo --quick --out demo-out",
            "%nExit codes: 0 done (the summary says whether the cross-runtime check passed), 1 error, 2 usage."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "demo-out", paramLabel = "DIR", description = "where everything goes (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--quick", description = "a smaller run (one fold, fewer images and iterations), for a first look (default: off)")
    boolean quick;

    @Option(names = "--budget", hidden = true, description = "the protocol's size: demo, quick or test (default: demo, --quick: quick)")
    String budget;

    @Option(names = "--spec", defaultValue = "retinanet_tiny", paramLabel = "NAME|FILE.json",
            description = "a tiny spec, a name of model-specs/ or a spec file FILE.json (default: ${DEFAULT-VALUE})")
    String spec;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "seed of the data and the runs (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "libtorch CPU threads; 0: libtorch's default (default: ${DEFAULT-VALUE})")
    int threads;

    private final List<String[]> timings = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String b = budget != null ? budget : quick ? "quick" : "demo";
        Path root = out.toAbsolutePath();
        Files.createDirectories(root);
        Path repro = root.resolve("reproduce");
        PrintStream o = System.out;
        o.printf("AlignDet demo: %s, the low-data protocol at %s size -> %s%n", spec, b, root);
        stage("1/4 the protocol: data, proposals, AlignDet pre-training, fine-tuning of both arms", "reproduce", "--spec", spec,
                "--budget", b, "--seed", Long.toString(seed), "--out", repro.toString(), "--threads", Integer.toString(threads));
        JsonNode report = new ObjectMapper().readTree(repro.resolve("report.json").toFile());
        JsonNode first = firstCell(report);
        Path data = repro.resolve("data");
        String val = data.resolve("annotations/instances_val.json").toString();
        for (String arm : new String[] {"aligndet", "baseline"}) {
            stage("2/4 ONNX export (" + arm + ")", "export", "--checkpoint", model(repro, arm, first).toString(), "--spec", spec,
                    "--out", root.resolve("export/" + arm + ".onnx").toString());
        }
        for (String arm : new String[] {"aligndet", "baseline"}) {
            stage("3/4 ONNX Runtime evaluation (" + arm + ")", "eval", "--model", root.resolve("export/" + arm + ".onnx").toString(),
                    "--coco-gt", val, "--images", data.resolve("val").toString(), "--out", root.resolve("eval-" + arm).toString(),
                    "--no-progress");
        }
        int check = stage("4/4 cross-runtime check (TorchScript vs ONNX Runtime)", "check", "--checkpoint",
                model(repro, "aligndet", first).toString(), "--onnx", root.resolve("export/aligndet.onnx").toString(),
                "--images", data.resolve("val").toString(), "--coco-gt", val, "-n", "20", "--json", root.resolve("check.json").toString());
        summary(o, root, report, check);
        return 0;
    }

    /** The first run (fraction, schedule, fold 1) the report holds. */
    private static JsonNode firstCell(JsonNode report) {
        for (JsonNode r : report.path("runs")) {
            if (r.path("fold").asInt() == 1 && r.path("arm").asText().equals("aligndet")) {
                return r;
            }
        }
        throw new IllegalStateException("the protocol's report has no AlignDet run");
    }

    /** The final model of an arm's fold-1 run in the first cell. */
    private static Path model(Path repro, String arm, JsonNode cell) {
        return repro.resolve("runs").resolve(RunRecord.name(arm, cell.path("fraction").asDouble(), cell.path("schedule").asText(), 1))
                .resolve("last.pth");
    }

    private int stage(String title, String... args) {
        System.out.printf("%n== %s ==%n$ aligndet %s%n", title, String.join(" ", args));
        long t0 = System.nanoTime();
        CommandLine cl = Main.commandLine();
        int code = cl.execute(args);
        double secs = (System.nanoTime() - t0) / 1e9;
        timings.add(new String[] {title, String.format(Locale.ROOT, "%.1f s", secs), code == 0 ? "ok" : "exit " + code});
        if (code != 0 && !args[0].equals("check")) {
            throw new IllegalStateException("demo stage '" + title + "' failed (exit " + code + "); see above");
        }
        return code;
    }

    private void summary(PrintStream o, Path root, JsonNode report, int checkCode) throws Exception {
        ObjectMapper json = new ObjectMapper();
        o.printf("%n== Summary ==%n%n| stage | time | result |%n|---|---|---|%n");
        for (String[] t : timings) {
            o.printf("| %s | %s | %s |%n", t[0], t[1], t[2]);
        }
        o.printf("%nThe protocol (validation split, fold means, AlignDet minus baseline paired by fold):%n%n"
                + "| labels | schedule | metric | baseline | AlignDet | delta +- se | folds > 0 |%n|---|---|---|---|---|---|---|%n");
        for (JsonNode e : report.path("summary")) {
            o.printf(Locale.ROOT, "| %.0f%% | %s | %s | %.3f | %.3f | %+.3f +- %.3f | %d/%d |%n", 100 * e.path("fraction").asDouble(),
                    e.path("schedule").asText(), e.path("metric").asText(), e.path("baseline_mean").asDouble(),
                    e.path("aligndet_mean").asDouble(), e.path("delta_mean").asDouble(), e.path("delta_se").asDouble(),
                    e.path("positive_folds").asInt(), e.path("folds").asInt());
        }
        o.printf("%n| fold-1 model | COCO AP | AP50 | AP75 | (exported, ONNX Runtime, %s val) |%n|---|---|---|---|---|%n", spec);
        for (String run : new String[] {"aligndet", "baseline"}) {
            JsonNode s = json.readTree(root.resolve("eval-" + run + "/report.json").toFile()).path("stats");
            o.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | |%n", run.equals("aligndet") ? "AlignDet pre-trained detector"
                    : "backbone only (baseline)", s.path(0).asDouble(), s.path(1).asDouble(), s.path(2).asDouble());
        }
        o.printf("%ncross-runtime check: %s (report %s)%n", checkCode == 0 ? "PASS" : "FAIL (exit " + checkCode + ")",
                root.resolve("check.json"));
        o.printf("protocol report: %s; everything is under %s%n", root.resolve("reproduce/report.md"), root);
    }
}
